package org.epochal.diagnose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.epochal.run.CsvRecorder;
import org.epochal.run.CsvTable;

/**
 * What a run left in its folder, for the detectors: batches.csv, epochs.csv, and probes.jsonl (the
 * experiment, the pre-flight measurements, per-epoch layer and input statistics). Read the same way
 * during training (after each epoch) and by `epochal diagnose`, so both say the same thing.
 */
public final class Evidence {
    private final CsvTable batches;
    private final CsvTable epochs;
    private final Map<String, Object> experiment;
    private final Map<String, Object> preflight;
    private final Map<Integer, Map<String, Object>> probes;
    private final double[] batchEpoch;

    Evidence(CsvTable batches, CsvTable epochs, Map<String, Object> experiment, Map<String, Object> preflight,
             Map<Integer, Map<String, Object>> probes) {
        this.batches = batches;
        this.epochs = epochs;
        this.experiment = experiment;
        this.preflight = preflight;
        this.probes = probes;
        this.batchEpoch = batches.column("epoch");
    }

    /** Reads a run folder; missing files give empty evidence (a run killed before writing them). */
    @SuppressWarnings("unchecked")
    public static Evidence read(Path runDir) {
        Map<String, Object> experiment = new LinkedHashMap<>();
        Map<String, Object> preflight = new LinkedHashMap<>();
        Map<Integer, Map<String, Object>> probes = new LinkedHashMap<>();
        Path file = runDir.resolve(Probes.FILE);
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Map<String, Object> m;
                    try {
                        m = (Map<String, Object>) Json.parse(line);
                    } catch (IllegalArgumentException partial) {
                        continue;
                    }
                    switch (String.valueOf(m.get("kind"))) {
                        case "run" -> experiment = (Map<String, Object>) m.get("experiment");
                        case "preflight" -> preflight = m;
                        case "epoch" -> probes.put(((Number) m.get("epoch")).intValue(), m);
                        default -> { }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Evidence(CsvTable.read(runDir.resolve(CsvRecorder.BATCHES)),
                CsvTable.read(runDir.resolve(CsvRecorder.EPOCHS)), experiment, preflight, probes);
    }

    public CsvTable batches() {
        return batches;
    }

    public CsvTable epochs() {
        return epochs;
    }

    /** The resolved experiment tree (empty if unknown). */
    public Map<String, Object> experiment() {
        return experiment;
    }

    /** A value of the experiment by dotted path ("data.shuffle"), or null. */
    @SuppressWarnings("unchecked")
    public Object config(String path) {
        Object node = experiment;
        for (String part : path.split("\\.")) {
            if (node instanceof Map<?, ?> m) {
                node = ((Map<String, Object>) m).get(part);
            } else if (node instanceof List<?> l && part.matches("\\d+") && Integer.parseInt(part) < l.size()) {
                node = l.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return node;
    }

    public Map<String, Object> preflight() {
        return preflight;
    }

    /** A number of the pre-flight record, or NaN. */
    public double preflightNumber(String key) {
        return number(preflight.get(key));
    }

    /** The probe record of an epoch (input and layer statistics), or null. */
    public Map<String, Object> probe(int epoch) {
        return probes.get(epoch);
    }

    /** The per-layer statistics of an epoch, in layer order (empty if not recorded). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> layerStats(int epoch) {
        Map<String, Object> p = probes.get(epoch);
        if (p == null) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<Object>) p.get("layers")) {
            out.add((Map<String, Object>) o);
        }
        return out;
    }

    /** Pre-flight per-layer records. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> preflightLayers() {
        List<Map<String, Object>> out = new ArrayList<>();
        Object layers = preflight.get("layers");
        if (layers instanceof List<?> l) {
            for (Object o : l) {
                out.add((Map<String, Object>) o);
            }
        }
        return out;
    }

    /** Epochs with at least one recorded batch, in order. */
    public List<Integer> batchEpochs() {
        List<Integer> out = new ArrayList<>();
        for (double e : batchEpoch) {
            if (out.isEmpty() || out.get(out.size() - 1) != (int) e) {
                out.add((int) e);
            }
        }
        return out;
    }

    /** Number of finished epochs (rows of epochs.csv). */
    public int finishedEpochs() {
        return epochs.rows();
    }

    /** Losses of the batches of epoch {@code e}, in order. */
    public double[] batchLosses(int e) {
        return slice(batches.column("loss"), e);
    }

    public double[] batchLrs(int e) {
        return slice(batches.column("lr"), e);
    }

    public double[] batchGradNorms(int e) {
        return slice(batches.column("grad_norm"), e);
    }

    private double[] slice(double[] column, int e) {
        int from = -1;
        int to = -1;
        for (int i = 0; i < batchEpoch.length; i++) {
            if ((int) batchEpoch[i] == e) {
                if (from < 0) {
                    from = i;
                }
                to = i + 1;
            }
        }
        return from < 0 ? new double[0] : java.util.Arrays.copyOfRange(column, from, to);
    }

    /** An epochs.csv value by epoch (1-based) and column, or NaN. */
    public double epochValue(int epoch, String column) {
        double[] ep = epochs.column("epoch");
        double[] v = epochs.column(column);
        for (int i = 0; i < ep.length; i++) {
            if ((int) ep[i] == epoch && i < v.length) {
                return v[i];
            }
        }
        return Double.NaN;
    }

    static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
