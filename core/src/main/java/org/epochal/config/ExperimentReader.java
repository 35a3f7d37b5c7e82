package org.epochal.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.data.SourceSpec;
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
        Experiment.DataSpec data = within("data", () -> data(o.child("data"), baseDir, dataResolved));
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

    private interface Part<T> {
        T read();
    }

    /** Runs {@code part}, prefixing the path of any error with {@code key}. */
    private static <T> T within(String key, Part<T> part) {
        try {
            return part.read();
        } catch (ConfigException e) {
            throw e.under(key);
        }
    }

    private static Experiment.DataSpec data(Options o, Path baseDir, Map<String, Object> resolved) {
        SourceSpec train = within("train", () -> source(o.raw("train"), baseDir, resolved, "train"));
        double fraction = 0;
        SourceSpec validation = null;
        if (o.has("validation")) {
            Options v = o.child("validation");
            if (v.has("fraction")) {
                fraction = v.number("fraction");
                if (!(fraction > 0 && fraction < 1)) {
                    throw new ConfigException("validation.fraction", "expected a number between 0 and 1, got " + fraction);
                }
                within("validation", () -> v.finish("fraction"));
                resolved.put("validation", v.resolved());
            } else {
                validation = within("validation", () -> source(o.raw("validation"), baseDir, resolved, "validation"));
            }
        }
        SourceSpec test = o.has("test") ? within("test", () -> source(o.raw("test"), baseDir, resolved, "test")) : null;
        int batchSize = o.integer("batch_size", 32);
        if (batchSize < 1) {
            throw new ConfigException("batch_size", "expected at least 1, got " + batchSize);
        }
        resolved.put("batch_size", batchSize);
        resolved.put("shuffle", o.bool("shuffle", true));
        resolved.put("drop_last", o.bool("drop_last", false));
        Experiment.NormalizeSpec normalize = within("normalize", () -> normalize(o));
        resolved.put("normalize", o.resolved().get("normalize"));
        List<Experiment.AugmentSpec> augment = within("augment", () -> augment(o));
        if (!augment.isEmpty()) {
            resolved.put("augment", o.resolved().get("augment"));
        }
        List<Experiment.DataAddSpec> schedule = within("schedule", () -> dataSchedule(o, baseDir));
        if (!schedule.isEmpty()) {
            resolved.put("schedule", o.resolved().get("schedule"));
        }
        for (String key : new String[] {"train", "validation", "test"}) {
            if (resolved.containsKey(key)) {
                o.put(key, resolved.get(key));
            }
        }
        o.finish("train", "validation", "test", "batch_size", "shuffle", "drop_last", "normalize", "augment", "schedule");
        return new Experiment.DataSpec(train, fraction, validation, test, batchSize, (Boolean) resolved.get("shuffle"),
                (Boolean) resolved.get("drop_last"), normalize, augment, schedule);
    }

    /** One source entry: idx, csv, builtin or synthetic; files must exist. */
    static SourceSpec source(Object entry, Path baseDir, Map<String, Object> resolvedParent, String key) {
        if (entry == null) {
            throw new ConfigException("", "is required: a source such as {format: csv, path: data.csv, label: y}");
        }
        Options o = Options.of(entry, "");
        String format = o.choice("format", null, "idx", "csv", "builtin", "synthetic");
        if (format == null) {
            throw new ConfigException("format", "is required (idx, csv, builtin or synthetic)");
        }
        SourceSpec spec = switch (format) {
            case "idx" -> {
                Path images = file(o, "images", baseDir);
                Path labels = file(o, "labels", baseDir);
                o.finish("format", "images", "labels");
                yield new SourceSpec.Idx(images, labels);
            }
            case "csv" -> {
                Path path = file(o, "path", baseDir);
                Object label = o.raw("label");
                if (label == null) {
                    throw new ConfigException("label", "is required: the label column's name or index (a list for"
                            + " several regression targets)");
                }
                List<String> labels = new ArrayList<>();
                for (Object l : label instanceof List<?> list ? list : List.of(label)) {
                    if (!(l instanceof String) && !(l instanceof Integer) && !(l instanceof Long)) {
                        throw new ConfigException("label", "expected a column name or index, got " + Options.describe(l));
                    }
                    labels.add(l.toString());
                }
                if (labels.isEmpty()) {
                    throw new ConfigException("label", "expected at least one label column");
                }
                boolean header = o.bool("header", true);
                o.finish("format", "path", "label", "header");
                yield new SourceSpec.Csv(path, labels, header);
            }
            case "builtin" -> {
                String name = o.choice("name", null, "digits");
                if (name == null) {
                    throw new ConfigException("name", "is required (digits)");
                }
                o.finish("format", "name");
                yield new SourceSpec.Builtin(name);
            }
            default -> {
                String kind = o.choice("kind", "blobs", "blobs", "regression");
                int samples = o.integer("samples", 1000);
                int features = o.integer("features", 2);
                int classes = o.integer("classes", kind.equals("blobs") ? 3 : 1);
                long seed = o.longValue("seed", 0);
                if (samples < 1 || features < 1 || classes < 1) {
                    throw new ConfigException("samples", "samples, features and classes must be positive");
                }
                o.finish("format", "kind", "samples", "features", "classes", "seed");
                yield new SourceSpec.Synthetic(kind, samples, features, classes, seed);
            }
        };
        resolvedParent.put(key, o.resolved());
        return spec;
    }

    private static Path file(Options o, String key, Path baseDir) {
        String text = o.string(key);
        Path path = baseDir.resolve(text).normalize();
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(key, "file not found: " + path);
        }
        o.put(key, path.toString());
        return path;
    }

    private static Experiment.NormalizeSpec normalize(Options data) {
        Object raw = data.raw("normalize");
        Options o = raw instanceof String s ? new Options(Map.of("type", s)) : Options.of(raw, "");
        String type = o.choice("type", "none", "none", "scale", "standard", "minmax");
        double factor = 1;
        if (type.equals("scale")) {
            factor = o.number("factor", 255.0);
            if (!(factor != 0) || !Double.isFinite(factor)) {
                throw new ConfigException("factor", "expected a non-zero number, got " + factor);
            }
        }
        o.finish("type", "factor");
        data.put("normalize", o.resolved());
        return new Experiment.NormalizeSpec(type, factor);
    }

    private static List<Experiment.AugmentSpec> augment(Options data) {
        Object raw = data.raw("augment");
        List<Experiment.AugmentSpec> out = new ArrayList<>();
        List<Object> resolved = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException("", "expected a list of augmentations, got " + Options.describe(raw));
        }
        for (int i = 0; i < list.size(); i++) {
            final int index = i;
            Options o = within(String.valueOf(i), () -> Options.of(list.get(index), ""));
            try {
                o.choice("type", null, "gaussian_noise");
                if (!o.has("type")) {
                    throw new ConfigException("type", "is required (gaussian_noise)");
                }
                double std = o.number("std");
                if (!(std >= 0) || Double.isInfinite(std)) {
                    throw new ConfigException("std", "expected a standard deviation >= 0, got " + std);
                }
                int from = o.integer("from_epoch", 1);
                if (from < 1) {
                    throw new ConfigException("from_epoch", "expected an epoch >= 1, got " + from);
                }
                o.finish("type", "std", "from_epoch");
                out.add(new Experiment.AugmentSpec("gaussian_noise", std, from));
            } catch (ConfigException e) {
                throw e.under(String.valueOf(i));
            }
            resolved.add(o.resolved());
        }
        data.put("augment", resolved);
        return out;
    }

    private static List<Experiment.DataAddSpec> dataSchedule(Options data, Path baseDir) {
        Object raw = data.raw("schedule");
        List<Experiment.DataAddSpec> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException("", "expected a list of {epoch, add: SOURCE}, got " + Options.describe(raw));
        }
        List<Object> resolved = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            final int index = i;
            Options o = within(String.valueOf(i), () -> Options.of(list.get(index), ""));
            Map<String, Object> entry = new LinkedHashMap<>();
            try {
                int epoch = o.integer("epoch");
                if (epoch < 1) {
                    throw new ConfigException("epoch", "expected an epoch >= 1, got " + epoch);
                }
                entry.put("epoch", epoch);
                SourceSpec add = within("add", () -> source(o.raw("add"), baseDir, entry, "add"));
                o.put("add", entry.get("add"));
                o.finish("epoch", "add");
                out.add(new Experiment.DataAddSpec(epoch, add));
            } catch (ConfigException e) {
                throw e.under(String.valueOf(i));
            }
            resolved.add(entry);
        }
        data.put("schedule", resolved);
        return out;
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
