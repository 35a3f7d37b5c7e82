package org.epochal.config;

import static org.epochal.config.ExperimentReader.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.data.SourceSpec;

/**
 * The `data` section of an experiment: sources (files must exist), validation, batching, normalisation,
 * augmentation and data added from an epoch on. Part of {@link ExperimentReader}; errors carry key paths
 * relative to `data`.
 */
final class DataSectionReader {
    private DataSectionReader() {
    }

    static Experiment.DataSpec data(Options o, Path baseDir, Map<String, Object> resolved) {
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
        Integer limit = o.raw("limit") == null ? null : o.integer("limit", 0);
        if (limit != null && limit < 1) {
            throw new ConfigException("limit", "expected a positive number of samples, got " + limit);
        }
        if (format == null) {
            throw new ConfigException("format", "is required (idx, csv, builtin or synthetic)");
        }
        SourceSpec spec = switch (format) {
            case "idx" -> {
                Path images = file(o, "images", baseDir);
                Path labels = file(o, "labels", baseDir);
                o.finish("format", "images", "labels", "limit");
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
                o.finish("format", "path", "label", "header", "limit");
                yield new SourceSpec.Csv(path, labels, header);
            }
            case "builtin" -> {
                String name = o.choice("name", null, "digits");
                if (name == null) {
                    throw new ConfigException("name", "is required (digits)");
                }
                o.finish("format", "name", "limit");
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
                o.finish("format", "kind", "samples", "features", "classes", "seed", "limit");
                yield new SourceSpec.Synthetic(kind, samples, features, classes, seed);
            }
        };
        resolvedParent.put(key, o.resolved());
        return limit == null ? spec : new SourceSpec.Limited(spec, limit);
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
}
