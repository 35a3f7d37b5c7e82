package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Why a run stalls, from its measurements. Each candidate cause gets a confidence from how far its evidence
 * sits past a threshold that means something: update-to-weight ratios against the ~1e-3 per step of
 * healthy training, weight scale against PyTorch's 1/√(3·fan-in), dead and saturated fractions, input scale
 * against unit scale, batchnorm's values per channel. Structural causes (equal rows, dead units, tiny
 * initial weights, unscaled inputs) outrank their symptoms (vanishing gradients, tiny updates).
 */
final class StallCauses {
    private StallCauses() {
    }

    static List<Finding.Cause> rank(Evidence ev, int epoch) {
        List<Finding.Cause> out = new ArrayList<>();
        int last = Math.max(1, ev.finishedEpochs());
        List<Map<String, Object>> layers = ev.layerStats(last);
        List<Map<String, Object>> init = ev.preflightLayers();

        for (Map<String, Object> l : init) {
            if (Boolean.TRUE.equals(l.get("rows_identical"))) {
                out.add(new Finding.Cause("symmetric_init", 0.95, Finding.Cause.evidence("layer", l.get("index"),
                        "weight_mean", num(l, "weight_mean"), "weight_std", num(l, "weight_std"),
                        "rows_identical", true)));
                break;
            }
        }
        double smallest = Double.POSITIVE_INFINITY;
        double largest = 0;
        Map<String, Object> smallestLayer = null;
        Map<String, Object> largestLayer = null;
        for (Map<String, Object> l : init) {
            double ratio = num(l, "weight_std") / num(l, "default_std");
            if (Double.isFinite(ratio) && ratio > 0 && !Boolean.TRUE.equals(l.get("rows_identical"))) {
                if (ratio < smallest) {
                    smallest = ratio;
                    smallestLayer = l;
                }
                if (ratio > largest) {
                    largest = ratio;
                    largestLayer = l;
                }
            }
        }
        double saturated = max(layers, "saturated_fraction");
        if (smallestLayer != null && smallest < 0.1) {
            out.add(new Finding.Cause("bad_init_scale", smallest < 0.01 ? 0.9 : 0.75, Finding.Cause.evidence(
                    "layer", smallestLayer.get("index"), "weight_std", num(smallestLayer, "weight_std"),
                    "expected_std", num(smallestLayer, "default_std"), "fan_in", smallestLayer.get("fan_in"),
                    "ratio", smallest)));
        } else if (largestLayer != null && largest > 10) {
            out.add(new Finding.Cause("bad_init_scale", saturated > 0.5 ? 0.7 : 0.8, Finding.Cause.evidence(
                    "layer", largestLayer.get("index"), "weight_std", num(largestLayer, "weight_std"),
                    "expected_std", num(largestLayer, "default_std"), "fan_in", largestLayer.get("fan_in"),
                    "ratio", largest)));
        }
        if (saturated > 0.5) {
            out.add(new Finding.Cause("saturated_activations", 0.5 + 0.4 * saturated, Finding.Cause.evidence(
                    "saturated_fraction", saturated, "layer", argmax(layers, "saturated_fraction"),
                    "threshold", "derivative below 2% of its maximum")));
        }
        double dead = max(layers, "dead_fraction");
        if (dead > 0.5) {
            Object layer = argmax(layers, "dead_fraction");
            Map<String, Object> e = Finding.Cause.evidence("dead_fraction", dead, "layer", layer);
            out.add(new Finding.Cause("dead_relu", 0.5 + 0.35 * dead, e));
        }
        double inputStd = ev.preflightNumber("input_std");
        double inputMean = ev.preflightNumber("input_max_abs_feature_mean");
        double scale = Math.max(inputStd, inputMean);
        if (scale > 10) {
            out.add(new Finding.Cause("unnormalized_inputs", scale > 100 ? 0.92 : 0.6, Finding.Cause.evidence(
                    "input_std", inputStd, "max_abs_feature_mean", inputMean)));
        }
        for (Map<String, Object> l : init) {
            if (Boolean.TRUE.equals(l.get("batchnorm"))) {
                double perChannel = num(l, "values_per_sample_per_channel") * ev.preflightNumber("batch_size");
                double lastBatch = num(l, "values_per_sample_per_channel") * ev.preflightNumber("last_batch_size");
                double m = Math.min(perChannel, lastBatch);
                if (m < 8) {
                    out.add(new Finding.Cause("batchnorm_small_batch", 0.85, Finding.Cause.evidence("layer", l.get("index"),
                            "values_per_channel_per_batch", m, "batch_size", ev.preflightNumber("batch_size"))));
                    break;
                }
            }
        }
        String optimizer = String.valueOf(ev.config("optimizer.type"));
        double usual = optimizer.equals("sgd") ? 0.1 : 1e-3;
        double lrNow = lastLr(ev);
        if (lrNow > 30 * usual) {
            // Far above what the optimizer is used with: dead or saturated units are then its symptom.
            out.add(new Finding.Cause("lr_too_large", 0.9, Finding.Cause.evidence("lr", lrNow, "usual_lr_for_" + optimizer,
                    usual)));
        }
        Map<String, Object> shift = EpochBoundaryDetector.shiftEvidence(ev, epoch);
        if (!shift.isEmpty()) {
            out.add(new Finding.Cause("data_shift", 0.75, shift));
        }
        double[] ratios = values(layers, "update_ratio");
        double maxRatio = Stats.median(ratios) >= 0 ? max(layers, "update_ratio") : Double.NaN;
        double lr = lastLr(ev);
        if (ratios.length > 0 && maxRatio < 1e-5) {
            out.add(new Finding.Cause("lr_too_small", maxRatio < 1e-6 ? 0.85 : 0.7, Finding.Cause.evidence(
                    "update_to_weight_ratio", maxRatio, "lr", lr, "healthy_ratio", 1e-3)));
        } else if (ratios.length > 0 && maxRatio > 0.1 && !(lrNow > 30 * usual)) {
            out.add(new Finding.Cause("lr_too_large", 0.7, Finding.Cause.evidence("update_to_weight_ratio", maxRatio,
                    "lr", lr, "healthy_ratio", 1e-3)));
        }
        double[] grads = values(layers, "grad_norm");
        if (grads.length >= 2) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (double g : grads) {
                lo = Math.min(lo, g);
                hi = Math.max(hi, g);
            }
            double firstLayer = grads[0];
            if (hi > 0 && firstLayer / hi < 1e-3) {
                out.add(new Finding.Cause("vanishing_gradients", 0.7, Finding.Cause.evidence("first_layer_grad_norm",
                        firstLayer, "largest_layer_grad_norm", hi, "ratio", firstLayer / hi)));
            }
        }
        if (out.isEmpty()) {
            out.add(new Finding.Cause("lr_too_small", 0.3, Finding.Cause.evidence("update_to_weight_ratio", maxRatio,
                    "lr", lr, "note", "no structural cause found; a larger learning rate is the first thing to try")));
        }
        return StallDetector.sorted(out);
    }

    static String explain(Finding.Cause cause) {
        Map<String, Object> e = cause.evidence();
        return switch (cause.cause()) {
            case "symmetric_init" -> "Every unit of layer " + e.get("layer") + " starts with the same weights, so they"
                    + " all get the same gradient and stay copies of each other: the layer acts as one unit.";
            case "bad_init_scale" -> "Layer " + e.get("layer") + " starts with weights of standard deviation "
                    + e.get("weight_std") + ", " + e.get("ratio") + " times the " + e.get("expected_std")
                    + " that suits its fan-in of " + e.get("fan_in") + ": signals and gradients shrink or blow up"
                    + " layer by layer.";
            case "saturated_activations" -> "A fraction " + e.get("saturated_fraction") + " of the outputs of layer "
                    + e.get("layer") + " sit where sigmoid/tanh is flat, so almost no gradient passes through.";
            case "dead_relu" -> "A fraction " + e.get("dead_fraction") + " of the ReLU units of layer " + e.get("layer")
                    + " never fired during the last epoch: they output 0 and pass no gradient.";
            case "unnormalized_inputs" -> "The inputs are far from unit scale (standard deviation " + e.get("input_std")
                    + "): first-layer pre-activations are huge, units saturate or die, and no learning rate suits"
                    + " every feature.";
            case "batchnorm_small_batch" -> "Batchnorm normalises each channel with the statistics of only "
                    + e.get("values_per_channel_per_batch") + " values per batch: those are mostly noise.";
            case "lr_too_small" -> "Each step changes the weights by about " + e.get("update_to_weight_ratio")
                    + " of their size (healthy training moves about 1e-3 per step) with learning rate " + e.get("lr")
                    + ".";
            case "lr_too_large" -> "Each step changes the weights by " + e.get("update_to_weight_ratio")
                    + " of their size: the steps overshoot.";
            case "vanishing_gradients" -> "The first layer's gradient norm is " + e.get("ratio")
                    + " of the largest layer's: the gradient fades on its way back.";
            default -> "";
        };
    }

    static List<String> suggest(Finding.Cause cause, Evidence ev) {
        double lr = lastLr(ev);
        return switch (cause.cause()) {
            case "symmetric_init" -> List.of("use the default initialisation: remove init: {weight: zeros} or "
                    + "constant from model.layers." + cause.evidence().get("layer"),
                    "or init: {weight: kaiming_uniform}");
            case "bad_init_scale" -> List.of("use the default initialisation (init: {weight: default}) for model.layers."
                    + cause.evidence().get("layer") + ", or init: {weight: xavier_uniform} for tanh/sigmoid networks",
                    "add {type: batchnorm} or {type: layernorm} between layers");
            case "saturated_activations" -> List.of("replace sigmoid/tanh with {type: relu} in hidden layers",
                    "use init: {weight: xavier_uniform} and normalise the inputs (data.normalize: {type: standard})");
            case "dead_relu" -> List.of("remove a negative bias init (init: {bias: zeros}) or use {type: leaky_relu, slope: 0.01}",
                    String.format(java.util.Locale.ROOT, "lower optimizer.lr to about %.1e", lr / 10));
            case "unnormalized_inputs" -> List.of("set data.normalize: {type: standard}");
            case "batchnorm_small_batch" -> List.of("raise data.batch_size to at least 16",
                    "or use {type: layernorm} instead of batchnorm");
            case "lr_too_large" -> List.of(String.format(java.util.Locale.ROOT, "lower optimizer.lr to about %.1e", lr / 10));
            case "vanishing_gradients" -> List.of("use {type: relu} instead of sigmoid/tanh, or add {type: batchnorm}",
                    "use init: {weight: kaiming_uniform} (ReLU) or xavier_uniform (tanh)");
            default -> List.of(String.format(java.util.Locale.ROOT, "raise optimizer.lr to about %.1e",
                    Math.max(lr * 100, Math.min(1e-3, lr * 1000))));
        };
    }

    static double lastLr(Evidence ev) {
        double[] lr = ev.batches().column("lr");
        return lr.length == 0 ? Double.NaN : lr[lr.length - 1];
    }

    static double num(Map<String, Object> m, String key) {
        return Evidence.number(m.get(key));
    }

    static double[] values(List<Map<String, Object>> layers, String key) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Object> l : layers) {
            double x = num(l, key);
            if (Double.isFinite(x)) {
                v.add(x);
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double max(List<Map<String, Object>> layers, String key) {
        double best = Double.NEGATIVE_INFINITY;
        for (double v : values(layers, key)) {
            best = Math.max(best, v);
        }
        return best;
    }

    static Object argmax(List<Map<String, Object>> layers, String key) {
        double best = Double.NEGATIVE_INFINITY;
        Object index = null;
        for (Map<String, Object> l : layers) {
            double v = num(l, key);
            if (Double.isFinite(v) && v > best) {
                best = v;
                index = l.get("index");
            }
        }
        return index;
    }
}
