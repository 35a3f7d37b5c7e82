package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The findings of the pre-flight checks, before epoch 1 (epoch 0 in the finding):
 * data_not_normalized (inputs beyond 10× unit scale, or below 1/1000 of it), initial_loss_unexpected
 * (untrained loss beyond twice what the loss and class count predict — ln C for cross-entropy — or
 * below a tenth of it), batchnorm_small_batch (fewer than 8 values per channel in a batch), and
 * weights_symmetric (a layer whose units start identical, added to SPEC's ids).
 */
final class PreflightDetector implements Detector {
    @Override
    public List<Finding> detect(Evidence ev) {
        if (ev.preflight().isEmpty()) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        double std = ev.preflightNumber("input_std");
        double mean = ev.preflightNumber("input_max_abs_feature_mean");
        double maxStd = ev.preflightNumber("input_max_feature_std");
        double scale = Math.max(std, mean);
        if (scale > 10 || maxStd < 1e-3) {
            out.add(new Finding("data_not_normalized", Finding.WARNING, 0, null, "Inputs are far from unit scale",
                    List.of(), String.format(Locale.ROOT, "Before training, the input features have standard deviation"
                    + " %.4g overall (largest feature %.4g) and feature means up to %.4g in size; networks train"
                    + " best with features of mean about 0 and spread about 1, and default initialisations assume it.",
                    std, maxStd, mean), List.of("set data.normalize: {type: standard}",
                    "or data.normalize: {type: scale, factor: " + Stats.round(Math.max(scale, 1e-30)) + "}")));
        }
        double initial = ev.preflightNumber("initial_loss");
        double expected = ev.preflightNumber("expected_initial_loss");
        if (Double.isFinite(initial) && expected > 0 && (initial > 2 * expected + 0.5 || initial < 0.1 * expected)) {
            out.add(initialLoss(ev, initial, expected));
        } else if (!Double.isFinite(initial)) {
            out.add(initialLoss(ev, initial, expected));
        }
        for (Map<String, Object> l : ev.preflightLayers()) {
            if (Boolean.TRUE.equals(l.get("batchnorm"))) {
                double per = StallCauses.num(l, "values_per_sample_per_channel");
                double m = per * Math.min(ev.preflightNumber("batch_size"), ev.preflightNumber("last_batch_size"));
                if (m < 8) {
                    out.add(new Finding("batchnorm_small_batch", Finding.WARNING, 0, null,
                            "Batchnorm sees too few values per channel", List.of(), String.format(Locale.ROOT,
                            "Layer %s normalises with the mean and variance of %.0f value(s) per channel per batch:"
                            + " estimates from so few samples are mostly noise (the standard error of a mean of m"
                            + " values is σ/√m), and they differ from the running statistics used at evaluation.",
                            l.get("index"), m), List.of("raise data.batch_size to at least 16",
                            "or use {type: layernorm}, which does not depend on the batch")));
                    break;
                }
            }
        }
        for (Map<String, Object> l : ev.preflightLayers()) {
            if (Boolean.TRUE.equals(l.get("rows_identical"))) {
                out.add(new Finding("weights_symmetric", Finding.WARNING, 0, null,
                        "Units of layer " + l.get("index") + " start identical",
                        List.of(new Finding.Cause("symmetric_init", 0.95, Finding.Cause.evidence("layer", l.get("index"),
                                "weight_std", StallCauses.num(l, "weight_std")))),
                        "Every row of layer " + l.get("index") + "'s weight matrix is the same (standard deviation "
                        + Stats.round(StallCauses.num(l, "weight_std")) + " across units): all its units compute the"
                        + " same thing and receive the same gradient, so they can never become different.",
                        List.of("use the default initialisation or init: {weight: kaiming_uniform} for model.layers."
                                + l.get("index"))));
                break;
            }
        }
        return out;
    }

    private static Finding initialLoss(Evidence ev, double initial, double expected) {
        List<Finding.Cause> causes = new ArrayList<>();
        double outputStd = Double.NaN;
        List<Map<String, Object>> layers = ev.preflightLayers();
        if (!layers.isEmpty()) {
            outputStd = StallCauses.num(layers.get(layers.size() - 1), "act_std");
        }
        double worst = 1;
        for (Map<String, Object> l : layers) {
            double r = StallCauses.num(l, "weight_std") / StallCauses.num(l, "default_std");
            if (Double.isFinite(r) && r > 0 && Math.abs(Math.log10(r)) > Math.abs(Math.log10(worst))) {
                worst = r;
            }
        }
        double baseline = ev.preflightNumber("baseline_loss");
        double inputScale = Math.max(ev.preflightNumber("input_std"), ev.preflightNumber("input_max_abs_feature_mean"));
        if (inputScale > 10 && initial > expected) {
            causes.add(new Finding.Cause("unnormalized_inputs", 0.9, Finding.Cause.evidence("input_std",
                    ev.preflightNumber("input_std"), "max_abs_feature_mean",
                    ev.preflightNumber("input_max_abs_feature_mean"))));
        }
        if (!(initial > expected) && baseline < 0.05 * expected) {
            causes.add(new Finding.Cause("label_problem", 0.7, Finding.Cause.evidence("baseline_loss", baseline,
                    "note", "the labels are nearly all one class")));
        }
        causes.add(new Finding.Cause("bad_init_scale", initial > expected ? 0.8 : 0.4, Finding.Cause.evidence(
                "output_std", outputStd, "worst_weight_std_ratio_to_default", worst)));
        if (initial > expected) {
            causes.add(new Finding.Cause("label_problem", 0.2, Finding.Cause.evidence("expected_initial_loss", expected)));
        }
        causes = StallDetector.sorted(causes);
        String what = ev.config("loss") + " of an untrained model with outputs near 0";
        return new Finding("initial_loss_unexpected", Finding.WARNING, 0, null,
                "Loss before training is far from the expected value", causes, String.format(Locale.ROOT,
                "Before training the loss is %.4g, where %s would be about %.4g%s. The outputs start with standard"
                + " deviation %.3g: the first steps will spend themselves undoing the initial weights.", initial, what,
                expected, "cross_entropy".equals(ev.config("loss"))
                ? String.format(Locale.ROOT, " (ln %d classes)", (int) ev.preflightNumber("classes")) : "", outputStd),
                List.of("use the default initialisation for the last layer (init: {weight: default, bias: zeros})",
                        "check that labels match the outputs (class indices 0..C-1)"));
    }
}
