package org.epochal.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java way to write an experiment file: each call sets the key of the same name, and {@link #build}
 * reads the result through the same {@link ExperimentReader} as a file, so the same experiment trains the
 * same way whichever way it was written.
 *
 * <pre>{@code
 * Experiment exp = new ExperimentBuilder("digits-mlp").seed(42).epochs(20)
 *     .train("format", "builtin", "name", "digits").validationFraction(0.2).batchSize(32)
 *     .normalize("scale", 16)
 *     .input(64).layer("linear", "out", 64).layer("relu").layer("linear", "out", 10)
 *     .loss("cross_entropy").optimizer("adam", "lr", 0.001)
 *     .build(Path.of("."));
 * }</pre>
 * Options are given as key, value pairs after the type, as in the file: {@code layer("dropout", "p", 0.5)}.
 */
public final class ExperimentBuilder {
    private final Map<String, Object> tree = new LinkedHashMap<>();
    private final Map<String, Object> data = new LinkedHashMap<>();
    private final Map<String, Object> model = new LinkedHashMap<>();
    private final List<Object> layers = new ArrayList<>();
    private final List<Object> schedules = new ArrayList<>();

    public ExperimentBuilder(String name) {
        tree.put("name", name);
    }

    public ExperimentBuilder seed(long seed) {
        tree.put("seed", seed);
        return this;
    }

    public ExperimentBuilder epochs(int epochs) {
        tree.put("epochs", epochs);
        return this;
    }

    /** data.train, e.g. {@code train("format", "csv", "path", "data.csv", "label", "y")}. */
    public ExperimentBuilder train(Object... source) {
        data.put("train", map(source));
        return this;
    }

    public ExperimentBuilder validation(Object... source) {
        data.put("validation", map(source));
        return this;
    }

    public ExperimentBuilder validationFraction(double fraction) {
        data.put("validation", Map.of("fraction", fraction));
        return this;
    }

    public ExperimentBuilder test(Object... source) {
        data.put("test", map(source));
        return this;
    }

    public ExperimentBuilder batchSize(int batchSize) {
        data.put("batch_size", batchSize);
        return this;
    }

    public ExperimentBuilder shuffle(boolean shuffle) {
        data.put("shuffle", shuffle);
        return this;
    }

    public ExperimentBuilder dropLast(boolean dropLast) {
        data.put("drop_last", dropLast);
        return this;
    }

    /** data.normalize: "none", "standard", "minmax", or "scale" with its factor. */
    public ExperimentBuilder normalize(String type, double... factor) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("type", type);
        if (factor.length > 0) {
            n.put("factor", factor[0]);
        }
        data.put("normalize", n);
        return this;
    }

    /** A data key not covered above (augment, schedule), given as in the file. */
    public ExperimentBuilder data(String key, Object value) {
        data.put(key, value);
        return this;
    }

    public ExperimentBuilder input(int... shape) {
        List<Object> dims = new ArrayList<>();
        for (int d : shape) {
            dims.add(d);
        }
        model.put("input", dims);
        return this;
    }

    public ExperimentBuilder layer(String type, Object... options) {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("type", type);
        layer.putAll(map(options));
        layers.add(layer);
        return this;
    }

    public ExperimentBuilder loss(String loss) {
        tree.put("loss", loss);
        return this;
    }

    public ExperimentBuilder metrics(String... metrics) {
        tree.put("metrics", List.of(metrics));
        return this;
    }

    public ExperimentBuilder optimizer(String type, Object... options) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", type);
        o.putAll(map(options));
        tree.put("optimizer", o);
        return this;
    }

    /** Adds one schedule to the list, e.g. {@code schedule("step", "step_size", 5, "gamma", 0.5)}. */
    public ExperimentBuilder schedule(String type, Object... options) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", type);
        s.putAll(map(options));
        schedules.add(s);
        return this;
    }

    public ExperimentBuilder earlyStopping(Object... options) {
        tree.put("early_stopping", map(options));
        return this;
    }

    public ExperimentBuilder checkpoint(int every, int keepLast) {
        tree.put("checkpoint", Map.of("every", every, "keep_last", keepLast));
        return this;
    }

    public ExperimentBuilder clipGradNorm(double maxNorm) {
        tree.put("clip_grad_norm", maxNorm);
        return this;
    }

    public ExperimentBuilder diagnostics(String level) {
        tree.put("diagnostics", level);
        return this;
    }

    /** The experiment file this builder describes, as a tree. */
    public Map<String, Object> tree() {
        Map<String, Object> t = new LinkedHashMap<>(tree);
        if (!data.isEmpty()) {
            t.put("data", new LinkedHashMap<>(data));
        }
        Map<String, Object> m = new LinkedHashMap<>(model);
        m.put("layers", new ArrayList<>(layers));
        t.put("model", m);
        if (!schedules.isEmpty()) {
            t.put("schedule", new ArrayList<>(schedules));
        }
        return t;
    }

    /** Reads the experiment; relative paths resolve against {@code baseDir}. */
    public Experiment build(Path baseDir) {
        return ExperimentReader.read(tree(), baseDir, String.valueOf(tree.get("name")));
    }

    private static Map<String, Object> map(Object[] pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("options come in key, value pairs, got " + pairs.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(String.valueOf(pairs[i]), pairs[i + 1]);
        }
        return m;
    }
}
