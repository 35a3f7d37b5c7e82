package org.epochal.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.layer.Layer;
import org.epochal.layer.Sequential;
import org.epochal.schedule.Schedule;
import org.epochal.schedule.Schedules;

/**
 * Turns an experiment tree (maps, lists, scalars — parsed YAML or JSON, or built in code) into an
 * {@link Experiment}, checking every key before any training: unknown keys, wrong types, missing files,
 * and shapes (the model is built once). Errors are {@link ConfigException}s carrying the key's path.
 * Defaults follow Keras where PyTorch has none (batch_size 32, epochs 1, early-stopping patience 0).
 */
public final class ExperimentReader {
    private static final String[] TOP = {"name", "seed", "epochs", "data", "model", "loss", "metrics", "optimizer",
        "schedule", "early_stopping", "checkpoint", "clip_grad_norm", "diagnostics"};

    private ExperimentReader() {
    }

    /**
     * @param baseDir relative paths are resolved against it (the experiment file's folder)
     * @param defaultName the name when the tree has none (the file name without extension)
     */
    public static Experiment read(Map<String, Object> tree, Path baseDir, String defaultName) {
        Options o = new Options(tree);
        String name = o.string("name", defaultName);
        long seed = o.longValue("seed", 0);
        int epochs = o.integer("epochs", 1);
        if (epochs < 1) {
            throw new ConfigException("epochs", "expected at least 1, got " + epochs);
        }
        Map<String, Object> dataResolved = new LinkedHashMap<>();
        Experiment.DataSpec data = within("data", () -> DataSectionReader.data(o.child("data"), baseDir, dataResolved));
        if (!o.has("data")) {
            throw new ConfigException("data", "is required (at least data.train)");
        }
        o.put("data", dataResolved);
        Map<String, Object> modelResolved = new LinkedHashMap<>();
        Experiment.ModelSpec model = within("model", () -> model(o.child("model"), modelResolved));
        o.put("model", modelResolved);
        String loss = o.choice("loss", null, "cross_entropy", "mse", "bce_with_logits");
        if (loss == null) {
            throw new ConfigException("loss", "is required (cross_entropy, mse or bce_with_logits)");
        }
        List<String> metrics = metrics(o, loss);
        Map<String, Object> optimizer = within("optimizer",
                () -> Optimizers.resolve(o.has("optimizer") ? o.raw("optimizer") : Map.of("type", "adam")));
        o.put("optimizer", optimizer);
        List<Map<String, Object>> schedules = schedules(o);
        boolean hasValidation = data.validationFraction() > 0 || data.validation() != null;
        Experiment.EarlyStoppingSpec early = o.has("early_stopping")
                ? within("early_stopping", () -> earlyStopping(o, metrics, hasValidation)) : null;
        Experiment.CheckpointSpec checkpoint = within("checkpoint", () -> checkpoint(o));
        Double clip = null;
        if (o.has("clip_grad_norm")) {
            clip = o.number("clip_grad_norm");
            if (!(clip > 0) || clip.isInfinite()) {
                throw new ConfigException("clip_grad_norm", "expected a positive number, got " + clip);
            }
        }
        String diagnostics = o.choice("diagnostics", "standard", "off", "standard", "deep");
        for (Map<String, Object> s : schedules) {
            Object monitor = s.get("monitor");
            if (monitor != null) {
                checkMonitor("schedule", monitor.toString(), metrics, hasValidation);
            }
        }
        o.finish(TOP);
        return new Experiment(name, seed, epochs, data, model, loss, metrics, optimizer, schedules, early,
                checkpoint, clip, diagnostics, o.resolved());
    }

    interface Part<T> {
        T read();
    }

    /** Runs {@code part}, prefixing the path of any error with {@code key}. */
    static <T> T within(String key, Part<T> part) {
        try {
            return part.read();
        } catch (ConfigException e) {
            throw e.under(key);
        }
    }

    private static Experiment.ModelSpec model(Options o, Map<String, Object> resolved) {
        int[] input = o.integers("input");
        for (int d : input) {
            if (d < 1) {
                throw new ConfigException("input", "expected positive dimensions, got " + java.util.Arrays.toString(input));
            }
        }
        resolved.put("input", o.resolved().get("input"));
        Object raw = o.raw("layers");
        if (!(raw instanceof List<?> entries) || entries.isEmpty()) {
            throw new ConfigException("layers", "expected a non-empty list of layers");
        }
        List<Object> resolvedLayers = new ArrayList<>();
        buildLayers(input, new ArrayList<>(entries), resolvedLayers);
        o.finish("input", "layers");
        resolved.put("layers", resolvedLayers);
        return new Experiment.ModelSpec(input, new ArrayList<>(entries));
    }

    /** Builds the layers of {@code entries} into a model; errors name "layers.INDEX". */
    public static Sequential buildLayers(int[] input, List<Object> entries, List<Object> resolvedOut) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, Object> resolved = new LinkedHashMap<>();
            final int index = i;
            layers.add(within("layers." + i, () -> Layers.create(entries.get(index), resolved)));
            if (resolvedOut != null) {
                resolvedOut.add(resolved);
            }
        }
        try {
            return new Sequential(input, layers);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int index = message.startsWith("layer ") ? Integer.parseInt(message.substring(6, message.indexOf(' ', 6))) : -1;
            throw new ConfigException(index >= 0 ? "layers." + index : "input", message);
        }
    }

    private static List<String> metrics(Options o, String loss) {
        Object raw = o.raw("metrics");
        List<String> metrics = new ArrayList<>();
        if (raw == null) {
            metrics.add(loss.equals("mse") ? "mae" : "accuracy");
        } else {
            for (Object m : raw instanceof List<?> l ? l : List.of(raw)) {
                String name = String.valueOf(m);
                if (!name.equals("accuracy") && !name.equals("mae")) {
                    throw new ConfigException("metrics", "unknown metric '" + name + "' (expected accuracy or mae)");
                }
                if (name.equals("accuracy") && loss.equals("mse")) {
                    throw new ConfigException("metrics", "accuracy needs a classification loss (cross_entropy or"
                            + " bce_with_logits); use mae with mse");
                }
                if (!metrics.contains(name)) {
                    metrics.add(name);
                }
            }
        }
        o.put("metrics", List.copyOf(metrics));
        return metrics;
    }

    private static List<Map<String, Object>> schedules(Options o) {
        Object raw = o.raw("schedule");
        List<Map<String, Object>> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        List<?> list = raw instanceof List<?> l ? l : List.of(raw);
        for (int i = 0; i < list.size(); i++) {
            String path = raw instanceof List<?> ? "schedule." + i : "schedule";
            Object entry = list.get(i);
            if (!(entry instanceof Map<?, ?> map)) {
                throw new ConfigException(path, "expected a mapping such as {type: step, step_size: 10}");
            }
            Map<String, Object> options = new LinkedHashMap<>();
            map.forEach((k, v) -> options.put(String.valueOf(k), v));
            Object type = options.remove("type");
            if (type == null) {
                throw new ConfigException(path + ".type", "is required (step, multistep, exponential, cosine, warmup,"
                        + " reduce_on_plateau or piecewise)");
            }
            try {
                Schedule s = Schedules.create(type.toString(), options);
                out.add(s.toConfig());
            } catch (ConfigException e) {
                throw e.under(path);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path, e.getMessage());
            }
        }
        o.put("schedule", out);
        return out;
    }

    private static Experiment.EarlyStoppingSpec earlyStopping(Options top, List<String> metrics, boolean hasValidation) {
        Options o = top.child("early_stopping");
        String monitor = o.string("monitor", "val_loss");
        checkMonitor("monitor", monitor, metrics, hasValidation);
        String mode = o.choice("mode", "auto", "auto", "min", "max");
        if (mode.equals("auto")) {
            mode = monitor.endsWith("accuracy") ? "max" : "min";
            o.put("mode", mode);
        }
        int patience = o.integer("patience", 0);
        double minDelta = o.number("min_delta", 0.0);
        boolean restoreBest = o.bool("restore_best", false);
        if (patience < 0) {
            throw new ConfigException("patience", "expected an integer >= 0, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new ConfigException("min_delta", "expected a number >= 0, got " + minDelta);
        }
        o.finish("monitor", "mode", "patience", "min_delta", "restore_best");
        top.put("early_stopping", o.resolved());
        return new Experiment.EarlyStoppingSpec(monitor, mode, patience, minDelta, restoreBest);
    }

    /** A monitored quantity must be one the run records: train_loss, val_loss, val_accuracy, ... */
    private static void checkMonitor(String key, String monitor, List<String> metrics, boolean hasValidation) {
        List<String> known = new ArrayList<>(List.of("train_loss"));
        metrics.forEach(m -> known.add("train_" + m));
        if (hasValidation) {
            known.add("val_loss");
            metrics.forEach(m -> known.add("val_" + m));
        }
        if (!known.contains(monitor)) {
            throw new ConfigException(key, "cannot monitor '" + monitor + "'" + (monitor.startsWith("val_") && !hasValidation
                    ? ": it needs data.validation" : "") + " (available: " + String.join(", ", known) + ")");
        }
    }

    private static Experiment.CheckpointSpec checkpoint(Options top) {
        Options o = top.child("checkpoint");
        int every = o.integer("every", 1);
        int keepLast = o.integer("keep_last", 3);
        if (every < 1 || keepLast < 1) {
            throw new ConfigException(every < 1 ? "every" : "keep_last", "expected an integer >= 1");
        }
        o.finish("every", "keep_last");
        top.put("checkpoint", o.resolved());
        return new Experiment.CheckpointSpec(every, keepLast);
    }
}
