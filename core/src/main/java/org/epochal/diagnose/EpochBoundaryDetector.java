package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * epoch_start_loss_rise and epoch_start_loss_drop: at each boundary, the mean loss of the first k batches
 * of epoch e against the last k of epoch e−1, projected along the old epoch's trend, in units of the
 * batch-to-batch spread (z = Δ / (σ·√(2/k)), σ from consecutive differences). The rise's cause comes from
 * what changed at the boundary: the learning rate, the inputs (measured shift, added data, augmentation),
 * or an unshuffled order with labels in runs; otherwise it is batch noise (info).
 */
final class EpochBoundaryDetector implements Detector {
    /** A rise is "noticed" above 1 spread unit and "clear" above 3 (p ≈ 0.001 under noise alone). */
    private static final double NOTICED = 1.0;
    private static final double CLEAR = 3.0;

    private record Boundary(int epoch, double last, double first, double expected, double z, double sigma, int k) {
    }

    @Override
    public List<Finding> detect(Evidence ev) {
        List<Integer> epochs = ev.batchEpochs();
        Map<String, List<Boundary>> rises = new LinkedHashMap<>();
        Map<String, List<Finding.Cause>> causes = new LinkedHashMap<>();
        List<Boundary> drops = new ArrayList<>();
        for (int i = 1; i < epochs.size(); i++) {
            int e = epochs.get(i);
            Boundary b = boundary(ev, e);
            if (b == null) {
                continue;
            }
            if (b.z > NOTICED && b.first > b.last) {
                List<Finding.Cause> c = causes(ev, e, b);
                String key = c.get(0).cause();
                rises.computeIfAbsent(key, x -> new ArrayList<>()).add(b);
                causes.putIfAbsent(key, c);
            } else if (b.z < -CLEAR) {
                drops.add(b);
            }
        }
        List<Finding> out = new ArrayList<>();
        rises.forEach((cause, list) -> out.add(rise(cause, list, causes.get(cause))));
        if (drops.size() >= 2) {
            out.add(drop(ev, drops));
        }
        return out;
    }

    /**
     * The boundary's largest jump over two window sizes: k = 1 (the very first batch against the very last,
     * which catches a jump that the next batches already undo, as with data sorted by class) and k of about a
     * tenth of an epoch (a steadier average). σ is the robust batch-to-batch spread of epoch e−1.
     */
    private static Boundary boundary(Evidence ev, int e) {
        double[] prev = ev.batchLosses(e - 1);
        double[] cur = ev.batchLosses(e);
        int wide = Math.min(10, Math.max(2, prev.length / 10));
        if (prev.length < 2 * wide || cur.length < wide) {
            return null;
        }
        double sigma = Math.max(Stats.robustNoise(prev), 1e-12);
        double slope = Math.min(0, Stats.slope(prev, prev.length / 2, prev.length));
        Boundary best = null;
        for (int k : new int[] {1, wide}) {
            double last = Stats.mean(prev, prev.length - k, prev.length);
            double first = Stats.mean(cur, 0, k);
            if (!Double.isFinite(first) || !Double.isFinite(last)) {
                return null;
            }
            // The old epoch's trend, carried k batches on (never upwards: a rising trend explains nothing).
            double expected = last + slope * k;
            double z = (first - expected) / (sigma * Math.sqrt(2.0 / k));
            // Multiple looks: the single-batch comparison must clear a higher bar to count (×√2 on its z).
            double score = k == 1 ? z / Math.sqrt(2) : z;
            if (best == null || Math.abs(score) > Math.abs(best.z)) {
                best = new Boundary(e, last, first, expected, score, sigma, k);
            }
        }
        return best;
    }

    private static List<Finding.Cause> causes(Evidence ev, int e, Boundary b) {
        List<Finding.Cause> out = new ArrayList<>();
        double[] lrBefore = ev.batchLrs(e - 1);
        double[] lrAfter = ev.batchLrs(e);
        double before = lrBefore[lrBefore.length - 1];
        double after = lrAfter[0];
        if (after > before * 1.05) {
            out.add(new Finding.Cause("lr_change", 0.9, Finding.Cause.evidence("lr_before", before, "lr_after", after,
                    "loss_rise", b.first - b.last, "z", b.z)));
        }
        Map<String, Object> shift = shiftEvidence(ev, e);
        if (!shift.isEmpty()) {
            double confidence = shift.containsKey("added_samples") || shift.containsKey("augmentation_from_epoch")
                    ? 0.85 : 0.7;
            out.add(new Finding.Cause("data_shift", confidence, shift));
        }
        Map<String, Object> order = orderEvidence(ev, e);
        if (!order.isEmpty()) {
            out.add(new Finding.Cause("ordered_data", 0.8, order));
        }
        out.sort((x, y) -> Double.compare(y.confidence(), x.confidence()));
        // Batch noise: always a candidate; most likely when nothing changed and the rise is within the spread.
        double noiseConfidence = out.isEmpty() ? (b.z < CLEAR ? 0.8 : 0.5) : 0.2;
        out.add(new Finding.Cause("batch_noise", noiseConfidence, Finding.Cause.evidence("loss_rise", b.first - b.last,
                "batch_to_batch_spread", b.sigma, "z", b.z, "batches_compared", b.k)));
        return out;
    }

    /** The epoch's inputs moved (measured), data was added, or augmentation began at epoch e. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> shiftEvidence(Evidence ev, int e) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> probe = ev.probe(e);
        if (probe != null && probe.get("input") instanceof Map<?, ?> input) {
            double shift = Evidence.number(((Map<String, Object>) input).get("shift"));
            double ratio = Evidence.number(((Map<String, Object>) input).get("std_ratio"));
            double rows = Evidence.number(((Map<String, Object>) input).get("rows"));
            // Sampling noise of a feature mean over an epoch is about 1/√rows standard deviations.
            double threshold = 3 / Math.sqrt(Math.max(rows, 1));
            if (shift > threshold || Math.abs(ratio - 1) > threshold) {
                m.put("input_mean_shift_in_std", Stats.round(shift));
                m.put("input_std_ratio", Stats.round(ratio));
                m.put("noise_threshold", Stats.round(threshold));
            }
        }
        Object schedule = ev.config("data.schedule");
        if (schedule instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> add && add.get("epoch") instanceof Number n && n.intValue() == e) {
                    double before = Evidence.number(probeOf(ev, e - 1, "samples"));
                    double now = Evidence.number(probeOf(ev, e, "samples"));
                    m.put("added_samples", Double.isFinite(now - before) ? (Object) (int) (now - before) : "yes");
                }
            }
        }
        Object augment = ev.config("data.augment");
        if (augment instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> a && a.get("from_epoch") instanceof Number n && n.intValue() == e && e > 1) {
                    m.put("augmentation_from_epoch", e);
                    m.put("augmentation", String.valueOf(a.get("type")) + " std " + a.get("std"));
                }
            }
        }
        return m;
    }

    private static Object probeOf(Evidence ev, int e, String key) {
        Map<String, Object> p = ev.probe(e);
        return p == null ? null : p.get(key);
    }

    /** No shuffling, and labels come in runs: each epoch replays the same class-by-class sequence. */
    private static Map<String, Object> orderEvidence(Evidence ev, int e) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!Boolean.FALSE.equals(ev.config("data.shuffle"))) {
            return m;
        }
        double same = ev.preflightNumber("label_same_as_previous");
        double expected = ev.preflightNumber("label_same_expected");
        double correlation = Stats.correlation(ev.batchLosses(e - 1), ev.batchLosses(e));
        boolean runs = same > Math.min(0.95, 2 * expected + 0.1);
        if (runs || correlation > 0.7) {
            m.put("shuffle", false);
            if (Double.isFinite(same)) {
                m.put("label_same_as_previous", Stats.round(same));
                m.put("label_same_if_shuffled", Stats.round(expected));
            }
            m.put("batch_loss_correlation_between_epochs", Stats.round(correlation));
        }
        return m;
    }

    private static Finding rise(String cause, List<Boundary> list, List<Finding.Cause> causes) {
        Boundary b = list.get(0);
        List<Object> epochs = new ArrayList<>();
        list.forEach(x -> epochs.add(x.epoch));
        Map<String, Object> firstEvidence = new LinkedHashMap<>(causes.get(0).evidence());
        firstEvidence.put("epochs", epochs);
        List<Finding.Cause> withEpochs = new ArrayList<>(causes);
        withEpochs.set(0, new Finding.Cause(cause, causes.get(0).confidence(), firstEvidence));
        String where = list.size() == 1 ? "epoch " + b.epoch : "epochs " + epochs;
        String numbers = String.format(Locale.ROOT, "the first %d batches of epoch %d averaged %.4g against %.4g"
                + " for the last %d of epoch %d, %.1f times the batch-to-batch spread (%.3g)",
                b.k, b.epoch, b.first, b.last, b.k, b.epoch - 1, b.z, b.sigma);
        String explanation;
        List<String> suggestions = new ArrayList<>();
        String severity = Finding.WARNING;
        switch (cause) {
            case "lr_change" -> {
                Map<String, Object> e = causes.get(0).evidence();
                explanation = "The loss rose at the start of " + where + ": " + numbers + ". The learning rate went"
                        + " up at that boundary, from " + e.get("lr_before") + " to " + e.get("lr_after")
                        + ": larger steps knock the weights out of the valley they had settled in.";
                suggestions.add("if the rise was not intended, keep the learning rate from rising: check schedule"
                        + " (piecewise values, warmup) so optimizer.lr does not jump up between epochs");
                suggestions.add("raise it gradually instead: schedule {type: warmup, epochs: 3}");
            }
            case "data_shift" -> {
                explanation = "The loss rose at the start of " + where + ": " + numbers + ". The inputs of that"
                        + " epoch differ from those before (" + causes.get(0).evidence() + "): the model meets data"
                        + " it has not fitted yet, added samples or augmentation that began at that epoch.";
                suggestions.add("expected after data.schedule additions or data.augment: it should settle within"
                        + " the epoch; if not, lower optimizer.lr for that phase");
                suggestions.add("start augmentation from epoch 1 (data.augment.from_epoch: 1) to avoid the jump");
            }
            case "ordered_data" -> {
                explanation = "The loss rose at the start of " + where + ": " + numbers + ". Shuffling is off and"
                        + " the training data is ordered by label, so every epoch starts on the classes the model"
                        + " forgot while it fitted the last ones: the loss follows the data order.";
                suggestions.add("set data.shuffle: true");
            }
            default -> {
                severity = Finding.INFO;
                explanation = "The loss was higher at the start of " + where + ": " + numbers + ". Nothing changed"
                        + " at the boundary (same learning rate, same inputs, reshuffled order): different batches"
                        + " come first, and their loss varies by this much from batch to batch. This is normal.";
                suggestions.add("nothing to fix; for smoother curves raise data.batch_size or look at epoch means");
            }
        }
        return new Finding("epoch_start_loss_rise", severity, b.epoch, 1,
                "Loss rose at the start of " + where, withEpochs, explanation, suggestions);
    }

    private static Finding drop(Evidence ev, List<Boundary> drops) {
        List<Object> epochs = new ArrayList<>();
        List<Object> zs = new ArrayList<>();
        drops.forEach(b -> {
            epochs.add(b.epoch);
            zs.add(Stats.round(b.z));
        });
        Boundary b = drops.get(0);
        Map<String, Object> evidence = Finding.Cause.evidence("epochs", epochs, "z", zs, "first_batches_loss", b.first,
                "last_batches_loss", b.last);
        double samples = ev.preflightNumber("train_samples");
        double params = ev.preflightNumber("parameters");
        if (Double.isFinite(samples)) {
            evidence.put("parameters_per_training_sample", Stats.round(params / samples));
        }
        String explanation = String.format(Locale.ROOT, "At %d epoch boundaries the first batches of the new epoch"
                + " had clearly lower loss than the last ones before (epoch %d: %.4g against %.4g, %.1f spreads"
                + " below the trend): samples seen again are fitted better than new ones, the model is memorising"
                + " its training set, a sign of overfitting to come.", drops.size(), b.epoch, b.first, b.last, -b.z);
        return new Finding("epoch_start_loss_drop", Finding.INFO, b.epoch, 1,
                "Loss drops at each epoch start (memorisation)",
                List.of(new Finding.Cause("memorization", 0.7, evidence)), explanation,
                List.of("watch val_loss: add early_stopping {monitor: val_loss, patience: 3, restore_best: true}",
                        "more data, data.augment, or a dropout layer ({type: dropout, p: 0.3})"));
    }
}
