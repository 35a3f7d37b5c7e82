package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * overfitting: validation loss rose for at least two epochs after its best while training loss kept
 * falling. The rise must exceed the validation set's own sampling noise (relative standard error about
 * 1/√N for N validation samples, and never less than 2%). Causes: far more parameters than training samples
 * (ten or more per sample), or simply training past the best epoch.
 */
final class OverfittingDetector implements Detector {
    @Override
    public List<Finding> detect(Evidence ev) {
        if (!ev.epochs().has("val_loss")) {
            return List.of();
        }
        double[] val = ev.epochs().column("val_loss");
        double[] train = ev.epochs().column("train_loss");
        int n = val.length;
        if (n < 3) {
            return List.of();
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (val[i] < val[best]) {
                best = i;
            }
        }
        int after = n - 1 - best;
        double samples = ev.preflightNumber("train_samples");
        double valFraction = Evidence.number(ev.config("data.validation.fraction"));
        double valSamples = Double.isFinite(valFraction) ? samples * valFraction / (1 - valFraction) : 1000;
        double tolerance = Math.max(0.02, 1 / Math.sqrt(Math.max(valSamples, 1)));
        double rise = (val[n - 1] - val[best]) / val[best];
        if (after < 2 || rise <= tolerance || !(train[n - 1] < train[best])) {
            return List.of();
        }
        int bestEpoch = best + 1;
        double params = ev.preflightNumber("parameters");
        double perSample = params / samples;
        List<Finding.Cause> causes = new ArrayList<>();
        int patience = 3;
        int wouldStop = Math.min(n, bestEpoch + patience);
        causes.add(new Finding.Cause("too_many_epochs", 0.6 + 0.3 * after / n, Finding.Cause.evidence("best_epoch",
                bestEpoch, "best_val_loss", val[best], "final_val_loss", val[n - 1], "epochs_after_best", after,
                "early_stopping_patience_3_stops_at", wouldStop, "epochs_saved", n - wouldStop)));
        if (perSample >= 10) {
            causes.add(new Finding.Cause("model_too_large", Math.min(0.95, 0.8 + 0.05 * Math.log10(perSample / 10)),
                    Finding.Cause.evidence("parameters", params, "training_samples", samples, "parameters_per_sample",
                            perSample)));
        }
        causes = StallDetector.sorted(causes);
        String explanation = String.format(Locale.ROOT, "Validation loss was lowest at epoch %d (%.4g) and rose to"
                + " %.4g by epoch %d (+%.0f%%, above the %.0f%% its %d samples vary by), while training loss fell"
                + " from %.4g to %.4g: the model fits its training samples, not the task. Early stopping with"
                + " patience %d would have stopped at epoch %d, %d epochs sooner, and kept epoch %d's weights.",
                bestEpoch, val[best], val[n - 1], n, 100 * rise, 100 * tolerance, (int) valSamples, train[best],
                train[n - 1], patience, wouldStop, n - wouldStop, bestEpoch);
        List<String> suggestions = new ArrayList<>();
        suggestions.add("add early_stopping: {monitor: val_loss, patience: 3, restore_best: true}");
        suggestions.add("or set epochs: " + bestEpoch);
        if (perSample >= 10) {
            suggestions.add("use a smaller model (fewer units per linear layer) or more training data");
        }
        suggestions.add("add {type: dropout, p: 0.3} or optimizer weight_decay: 1e-4");
        return List.of(new Finding("overfitting", Finding.WARNING, bestEpoch + 1, null,
                "Overfitting after epoch " + bestEpoch, causes, explanation, suggestions));
    }
}
