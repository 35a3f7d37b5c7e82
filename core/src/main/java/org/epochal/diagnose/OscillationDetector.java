package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * oscillating_loss: over the last epochs the training loss swings up and down without a trend — most
 * epoch-to-epoch changes reverse the previous one, they are large (over 5% of the loss), and the net
 * change is smaller than the typical swing. Causes: steps too large for the valley (update ratios above
 * 1e-2), or too few samples per batch (at most 8) to estimate the gradient.
 */
final class OscillationDetector implements Detector {
    @Override
    public List<Finding> detect(Evidence ev) {
        double[] loss = ev.epochs().column("train_loss");
        int n = loss.length;
        if (n < 5) {
            return List.of();
        }
        int from = Math.max(0, n - 8);
        int reversals = 0;
        int pairs = 0;
        double swing = 0;
        for (int i = from + 2; i < n; i++) {
            double d1 = loss[i - 1] - loss[i - 2];
            double d2 = loss[i] - loss[i - 1];
            reversals += Math.signum(d1) != Math.signum(d2) ? 1 : 0;
            pairs++;
        }
        for (int i = from + 1; i < n; i++) {
            swing += Math.abs(loss[i] - loss[i - 1]);
        }
        swing /= (n - from - 1);
        double level = Stats.mean(loss, from, n);
        double net = Math.abs(loss[n - 1] - loss[from]);
        if (!(reversals >= 0.6 * pairs && swing > 0.05 * level && net < 2 * swing)) {
            return List.of();
        }
        List<Finding.Cause> causes = new ArrayList<>();
        double ratio = StallCauses.max(ev.layerStats(n), "update_ratio");
        double lr = StallCauses.lastLr(ev);
        if (ratio > 1e-2) {
            causes.add(new Finding.Cause("lr_too_large", 0.75, Finding.Cause.evidence("update_to_weight_ratio", ratio,
                    "lr", lr, "healthy_ratio", 1e-3)));
        }
        double batch = ev.preflightNumber("batch_size");
        causes.add(new Finding.Cause("batch_noise", batch <= 8 ? 0.6 : 0.3, Finding.Cause.evidence("batch_size", batch)));
        if (causes.size() == 1 && batch > 8) {
            causes.add(0, new Finding.Cause("lr_too_large", 0.5, Finding.Cause.evidence("update_to_weight_ratio", ratio,
                    "lr", lr)));
        }
        causes = StallDetector.sorted(causes);
        String explanation = String.format(Locale.ROOT, "Over epochs %d–%d the training loss went up and down %d"
                + " times in %d, by %.3g on average (%.0f%% of its level %.4g), and moved only %.3g overall.",
                from + 1, n, reversals, pairs, swing, 100 * swing / level, level, net);
        return List.of(new Finding("oscillating_loss", Finding.WARNING, from + 1, null,
                "Loss oscillates without trend", causes, explanation,
                List.of(String.format(Locale.ROOT, "lower optimizer.lr to about %.1e", lr / 3),
                        "raise data.batch_size", "add a schedule: {type: reduce_on_plateau, monitor: train_loss}")));
    }
}
