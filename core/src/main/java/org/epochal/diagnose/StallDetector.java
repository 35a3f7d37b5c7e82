package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * stalled: the training loss stopped improving (less than 2% per epoch — or within one epoch, from its
 * first to its last batches) while still far from a good value: above 80% of the baseline loss, the loss
 * of the best constant prediction (the entropy of the labels, ln C for balanced classes; the variance of
 * the targets for mse). Causes are ranked from the probes; see {@link StallCauses}.
 */
final class StallDetector implements Detector {
    /** Improvement per epoch below this fraction of the loss counts as none (50 epochs to halve it). */
    private static final double FLAT = 0.02;
    /** "Far from a good value": still at least this fraction of the baseline loss (under 20% explained). */
    private static final double FAR = 0.8;

    @Override
    public List<Finding> detect(Evidence ev) {
        double baseline = ev.preflightNumber("baseline_loss");
        int finished = ev.finishedEpochs();
        double[] trainLoss = ev.epochs().column("train_loss");
        if (!Double.isFinite(baseline) || baseline <= 0 || trainLoss.length == 0) {
            return List.of();
        }
        double level = trainLoss[trainLoss.length - 1];
        if (!Double.isFinite(level) || level < FAR * baseline) {
            return List.of();
        }
        int stallEpoch;
        double change;
        if (finished >= 2) {
            // The first epoch from which every later epoch improved by less than FLAT.
            stallEpoch = -1;
            for (int e = finished; e >= 2; e--) {
                double prev = trainLoss[e - 2];
                double rel = (prev - trainLoss[e - 1]) / Math.abs(prev);
                if (rel >= FLAT) {
                    break;
                }
                stallEpoch = e;
            }
            if (stallEpoch < 0) {
                return List.of();
            }
            change = (trainLoss[stallEpoch - 2] - level) / Math.abs(trainLoss[stallEpoch - 2]);
        } else {
            double[] losses = ev.batchLosses(1);
            int k = Math.max(2, losses.length / 10);
            if (losses.length < 2 * k) {
                return List.of();
            }
            double first = Stats.mean(losses, 0, k);
            double last = Stats.mean(losses, losses.length - k, losses.length);
            change = (first - last) / Math.abs(first);
            if (change >= 2 * FLAT) {
                return List.of();
            }
            stallEpoch = 1;
        }
        List<Finding.Cause> causes = StallCauses.rank(ev, stallEpoch);
        Finding.Cause first = causes.get(0);
        String title = stallEpoch <= 1 ? "Training stalled from the start"
                : "Training stalled after epoch " + (stallEpoch - 1);
        String explanation = String.format(Locale.ROOT, "The training loss is %.4g, %.0f%% of the %.4g a constant"
                + " prediction would give, and it changed by %.2f%% since epoch %d. %s", level, 100 * level / baseline,
                baseline, 100 * change, Math.max(1, stallEpoch - 1), StallCauses.explain(first));
        return List.of(new Finding("stalled", Finding.WARNING, stallEpoch, null, title, causes, explanation,
                StallCauses.suggest(first, ev)));
    }

    static List<Finding.Cause> sorted(List<Finding.Cause> causes) {
        List<Finding.Cause> out = new ArrayList<>(causes);
        out.sort((a, b) -> Double.compare(b.confidence(), a.confidence()));
        return out;
    }
}
