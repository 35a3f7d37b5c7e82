package org.epochal.diagnose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epochal.io.Json;
import org.epochal.run.AppendedLines;
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
    public static Evidence read(Path runDir) {
        return new Follower(runDir).read();
    }

    /**
     * A run folder that training is writing: each {@link #read()} parses only what was appended since the
     * last one and gives the evidence {@link Evidence#read} gives for the folder as it is. Read from the
     * start after every epoch, batches.csv's rows were parsed again and again: a time per epoch growing
     * with the batches so far, and new parsing code for the JIT to compile while the next epoch trained.
     */
    public static final class Follower {
        private final CsvTable.Follower batches;
        private final CsvTable.Follower epochs;
        private final AppendedLines probeLines;
        private Records records = new Records();

        public Follower(Path runDir) {
            this.batches = new CsvTable.Follower(runDir.resolve(CsvRecorder.BATCHES));
            this.epochs = new CsvTable.Follower(runDir.resolve(CsvRecorder.EPOCHS));
            this.probeLines = new AppendedLines(runDir.resolve(Probes.FILE));
        }

        public Evidence read() {
            AppendedLines.Piece piece = probeLines.read();
            if (piece.restarted()) {
                records = new Records();
            }
            piece.lines().forEach(records::apply);
            Records seen = records.copy();
            if (piece.partial() != null) {
                seen.apply(piece.partial()); // a last line that parses, unfinished: here, and again once finished
            }
            return new Evidence(batches.read(), epochs.read(), seen.experiment, seen.preflight, seen.probes);
        }
    }

    /** What probes.jsonl says so far: the experiment, the pre-flight record, and each epoch's record. */
    private static final class Records {
        /** The per-feature input statistics: for the next epoch's shift (InputStats), which no detector reads. */
        private static final Set<String> NOT_READ = Set.of("feature_mean", "feature_std");

        private Map<String, Object> experiment = new LinkedHashMap<>();
        private Map<String, Object> preflight = new LinkedHashMap<>();
        private final Map<Integer, Map<String, Object>> probes = new LinkedHashMap<>();

        Records copy() {
            Records c = new Records();
            c.experiment = experiment;
            c.preflight = preflight;
            c.probes.putAll(probes);
            return c;
        }

        /** Takes in one line; a line that is not a JSON object (a partly written one) is skipped. */
        @SuppressWarnings("unchecked")
        void apply(String line) {
            Object parsed;
            try {
                parsed = Json.parse(line, NOT_READ);
            } catch (IllegalArgumentException partial) {
                return;
            }
            if (!(parsed instanceof Map<?, ?>)) {
                return;
            }
            Map<String, Object> m = (Map<String, Object>) parsed;
            switch (String.valueOf(m.get("kind"))) {
                case "run" -> experiment = (Map<String, Object>) m.get("experiment");
                case "preflight" -> preflight = m;
                case "epoch" -> probes.put(((Number) m.get("epoch")).intValue(), m);
                default -> { }
            }
        }
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
