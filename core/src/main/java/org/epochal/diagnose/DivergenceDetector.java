package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * diverged: a non-finite loss, a batch loss that exploded to 100 times where it began, or a loss that ends
 * more than 10 times above where it began. Causes: the
 * inputs far from unit scale; a learning rate far above its optimizer's usual range (Adam-family 1e-3,
 * SGD 0.01–0.1); gradient norms that grew a hundredfold before the end.
 */
final class DivergenceDetector implements Detector {
    @Override
    public List<Finding> detect(Evidence ev) {
        double[] loss = ev.batches().column("loss");
        double[] epoch = ev.batches().column("epoch");
        double[] batch = ev.batches().column("batch");
        if (loss.length == 0) {
            return List.of();
        }
        int at = -1;
        for (int i = 0; i < loss.length; i++) {
            if (!Double.isFinite(loss[i])) {
                at = i;
                break;
            }
        }
        // Where it began: the loss before any update (pre-flight), else the first batch's (taken before its step).
        double start = ev.preflightNumber("initial_loss");
        if (!Double.isFinite(start)) {
            start = loss[0];
        }
        if (at < 0) {
            // An explosion the run came back from (to a finite, usually useless, state) still counts.
            for (int i = 0; i < loss.length; i++) {
                if (loss[i] > 100 * start && loss[i] > start + 10) {
                    at = i;
                    break;
                }
            }
        }
        if (at < 0) {
            int k = Math.max(1, loss.length / 20);
            double end = Stats.mean(loss, loss.length - k, loss.length);
            if (!(end > 10 * start && end > start + 1)) {
                return List.of();
            }
            at = loss.length - 1;
        }
        double[] grad = ev.batches().column("grad_norm");
        double early = Stats.median(java.util.Arrays.copyOfRange(grad, 0, Math.max(1, Math.min(grad.length, 20))));
        double late = 0;
        for (int i = Math.max(0, at - 5); i < at; i++) {
            if (Double.isFinite(grad[i])) {
                late = Math.max(late, grad[i]);
            }
        }
        double lr = ev.batches().column("lr")[at];
        String optimizer = String.valueOf(ev.config("optimizer.type"));
        double usual = optimizer.equals("sgd") ? 0.1 : 1e-3;
        List<Finding.Cause> causes = new ArrayList<>();
        double inputScale = Math.max(ev.preflightNumber("input_std"), ev.preflightNumber("input_max_abs_feature_mean"));
        if (inputScale > 10) {
            causes.add(new Finding.Cause("unnormalized_inputs", inputScale > 100 ? 0.85 : 0.6,
                    Finding.Cause.evidence("input_std", ev.preflightNumber("input_std"),
                            "max_abs_feature_mean", ev.preflightNumber("input_max_abs_feature_mean"))));
        }
        if (lr > 10 * usual) {
            causes.add(new Finding.Cause("lr_too_large", Math.min(0.95, 0.6 + 0.1 * Math.log10(lr / usual)),
                    Finding.Cause.evidence("lr", lr, "usual_lr_for_" + optimizer, usual)));
        }
        double growth = late / early;
        if (growth > 100 || causes.isEmpty()) {
            causes.add(new Finding.Cause("exploding_gradients", growth > 100 ? 0.75 : 0.4,
                    Finding.Cause.evidence("grad_norm_early", early, "grad_norm_before_divergence", late, "growth", growth)));
        }
        if (lr > usual && causes.stream().noneMatch(c -> c.cause().equals("lr_too_large"))) {
            causes.add(new Finding.Cause("lr_too_large", 0.5, Finding.Cause.evidence("lr", lr, "usual_lr_for_" + optimizer,
                    usual)));
        }
        causes = StallDetector.sorted(causes);
        int e = (int) epoch[at];
        int b = (int) batch[at];
        String explanation = String.format(Locale.ROOT, "At epoch %d, batch %d the loss became %s (it began near"
                + " %.4g); the gradient norm went from about %.3g early on to %.3g just before, with learning rate"
                + " %.3g. Training stopped there.", e, b, Double.isFinite(loss[at]) ? String.format(Locale.ROOT,
                "%.4g", loss[at]) : String.valueOf(loss[at]), start, early, late, lr);
        List<String> suggestions = new ArrayList<>();
        suggestions.add(String.format(Locale.ROOT, "lower optimizer.lr to about %.1e", Math.min(lr / 10, usual)));
        suggestions.add("add clip_grad_norm: 1.0");
        if (inputScale > 10) {
            suggestions.add(0, "set data.normalize: {type: standard}");
        }
        return List.of(new Finding("diverged", Finding.ERROR, e, b, "Training diverged at epoch " + e, causes,
                explanation, suggestions));
    }
}
