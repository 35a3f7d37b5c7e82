package org.epochal.diagnose;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.epochal.kernel.BlockSums;
import org.epochal.layer.Layer;
import org.epochal.layer.Parameter;
import org.epochal.layer.ReLU;
import org.epochal.layer.Sequential;
import org.epochal.layer.Sigmoid;
import org.epochal.layer.Tanh;
import org.epochal.optim.GradClip;
import org.epochal.tensor.Tensor;
import org.epochal.train.BatchLoader;
import org.epochal.train.Callback;
import org.epochal.train.Events;
import org.epochal.train.Trainer;

/**
 * The instruments: what the detectors need, measured while training and written to probes.jsonl (one JSON
 * object a line, flushed each epoch) so that `epochal diagnose` works after the fact, even on a killed run.
 *
 * <p>Every batch (cheap: one pass over the batch's inputs and the ReLU outputs): per-feature input sums for
 * the epoch's input statistics, and which ReLU units fired. Every S-th batch (S spreads about 20 samples
 * over an epoch; every batch with {@code deep}): per layer gradient norm, weight norm, update-to-weight
 * ratio ‖Δw‖/‖w‖ of that step, activation mean and spread, saturated fraction of sigmoid/tanh outputs.
 * Per epoch: each layer's weight change since the epoch began. Before epoch 1: {@link Preflight}.
 */
public final class Probes implements Callback {
    public static final String FILE = "probes.jsonl";
    private final Path file;
    private final boolean deep;
    private final Map<String, Object> experiment;
    private BufferedWriter out;
    private Sequential model;
    private BatchLoader loader;
    private List<Layer> layers;
    private int sampleEvery;
    // per epoch
    private final InputStats inputs = new InputStats();
    private final Map<Integer, FiredUnits> fired = new LinkedHashMap<>();
    /** The model's ReLU layers, and this epoch's fired units of each (also in {@link #fired}). */
    private ReLU[] relus = new ReLU[0];
    private FiredUnits[] reluFired = new FiredUnits[0];
    /** The step whose halves were counted ({@link #halfComputed}), or -1. */
    private long halvesStep = -1;
    /** Batches ended this epoch: the batch being computed is the next. */
    private int batchesSeen;
    /**
     * Per layer, Σ, Σ² and the saturated count of its output ({@link #activationSums}) for a sampled step:
     * per half when it ran by halves (the step in actsStep), else of the whole batch.
     */
    private double[][] halfActs = new double[2][0];
    private double[] wholeActs = new double[0];
    private long actsStep = -1;
    private final Map<Integer, double[]> sums = new LinkedHashMap<>();
    private int samples;
    private float[][] epochStartWeights;
    private float[][] preStepWeights;
    private boolean havePreStep;

    // sums per layer: 0 grad norm, 1 weight norm, 2 update ratio, 3 ratio count, 4 act mean, 5 act std, 6 saturated
    private static final int SLOTS = 7;

    public Probes(Path runDir, boolean deep, Map<String, Object> experiment) {
        this.file = runDir.resolve(FILE);
        this.deep = deep;
        this.experiment = experiment;
    }

    @Override
    public void runStart(Events.RunStart e, Trainer.Control control) {
        Trainer trainer = control.trainer();
        model = trainer.model();
        loader = trainer.loader();
        layers = model.layers();
        relus = layers.stream().filter(ReLU.class::isInstance).map(ReLU.class::cast).toArray(ReLU[]::new);
        halfActs = new double[2][3 * layers.size()];
        wholeActs = new double[3 * layers.size()];
        sampleEvery = deep ? 1 : Math.max(1, e.batchesPerEpoch() / 20);
        try {
            if (e.startEpoch() == 1) {
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("kind", "run");
                run.put("experiment", experiment);
                write(run);
                write(Preflight.measure(trainer));
                out.flush();
            } else {
                keepUpTo(e.startEpoch() - 1);
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        restorePreviousInputStats();
    }

    /** A resumed run drops probe lines of epochs after its checkpoint (they are measured again). */
    @SuppressWarnings("unchecked")
    private void keepUpTo(int epoch) throws IOException {
        List<String> kept = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    Map<String, Object> m = (Map<String, Object>) Json.parse(line);
                    Object ep = m.get("epoch");
                    if (!"epoch".equals(m.get("kind")) || (ep instanceof Number n && n.intValue() <= epoch)) {
                        kept.add(line);
                    }
                } catch (IllegalArgumentException partial) {
                    // a line cut by the kill
                }
            }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
    }

    /** After a resume, the last recorded epoch's input statistics are the reference for the next shift. */
    @SuppressWarnings("unchecked")
    private void restorePreviousInputStats() {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Map<String, Object> m = (Map<String, Object>) Json.parse(line);
                if ("epoch".equals(m.get("kind"))) {
                    inputs.restore((Map<String, Object>) m.get("input"));
                }
            }
        } catch (IOException | RuntimeException ex) {
            inputs.restore(null);
        }
    }

    @Override
    public void epochStart(Events.EpochStart e, Trainer.Control control) {
        samples = e.samples();
        batchesSeen = 0;
        inputs.startEpoch();
        inputs.prepareHalves(org.epochal.tensor.Shapes.size(model.inputShape()));
        fired.clear();
        reluFired = new FiredUnits[relus.length];
        for (int i = 0; i < relus.length; i++) { // made here: halves may mark them at once
            reluFired[i] = new FiredUnits(relus[i].outputShape()[0]);
            fired.put(relus[i].index(), reluFired[i]);
        }
        sums.clear();
        List<Parameter> params = model.params();
        epochStartWeights = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            epochStartWeights[i] = params.get(i).data().clone();
        }
        havePreStep = false;
        if (sampleEvery == 1) {
            snapshotPreStep();
        }
    }

    /**
     * The batch's input sums and fired units, from its inputs and activations, which the optimizer's step
     * does not touch: on the trainer's second thread while the step runs when it is free for it
     * (Callback#batchComputed), off the step's serial part (batch 64 on two threads: 2-3% of a step). A
     * batch whose loss is not finite gets no step, no call, and no probe.
     */
    @Override
    public void batchComputed(Events.BatchEnd e) {
        if (e.step() == halvesStep) { // counted in its halves
            for (FiredUnits f : reluFired) {
                f.settleHalves();
            }
            return;
        }
        inputs.add(loader.lastBatch());
        for (int i = 0; i < relus.length; i++) {
            Tensor y = relus[i].firingSource(); // positive where the output is, without computing it
            reluFired[i].mark(y.data(), y.batch(), y.sampleSize() / reluFired[i].units());
        }
    }

    @Override
    public boolean takesComputedBatches() {
        return true;
    }

    /**
     * In a step by halves, the half's input sums and fired units, on the thread that computed the half, from
     * the rows it has in its cache; the half's own sums, added when the epoch ends (InputStats#addHalf), and
     * its own marks, settled in batchComputed.
     */
    @Override
    public void halfComputed(long step, int half, int from, int to) {
        if (half == 0) {
            halvesStep = step;
        }
        inputs.addHalf(loader.lastBatch(), from, to, half);
        for (int i = 0; i < relus.length; i++) {
            reluFired[i].markHalf(relus[i].firingSource().data(), from, to, half);
        }
        if ((batchesSeen + 1) % sampleEvery == 0) { // a sampled batch: its activations' sums, this half's rows
            if (half == 0) {
                actsStep = step;
            }
            for (int i = 0; i < layers.size(); i++) {
                Tensor y = layers.get(i).outputRows(from, to);
                if (y != null) {
                    int per = y.sampleSize();
                    activationSums(layers.get(i), y.data(), from * per, to * per, halfActs[half], 3 * i);
                }
            }
        }
    }

    @Override
    public boolean takesHalves() {
        return true;
    }

    /** Every S-th batch, the probes of its step (weights, gradients, their change). */
    @Override
    public void batchEnd(Events.BatchEnd e, Trainer.Control control) {
        if (!Double.isFinite(e.loss())) {
            return;
        }
        batchesSeen = e.batch();
        if (e.batch() % sampleEvery == 0) {
            sample(e.step());
        }
        if ((e.batch() + 1) % sampleEvery == 0) {
            snapshotPreStep();
        }
    }

    private void snapshotPreStep() {
        List<Parameter> params = model.params();
        if (preStepWeights == null) {
            preStepWeights = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                preStepWeights[i] = new float[params.get(i).size()];
            }
        }
        for (int i = 0; i < params.size(); i++) {
            System.arraycopy(params.get(i).data(), 0, preStepWeights[i], 0, preStepWeights[i].length);
        }
        havePreStep = true;
    }

    /**
     * Σ v, Σ v² (BlockSums' orders) and the count of saturated outputs (a sigmoid's or tanh's derivative below
     * 2% of its maximum) of v[from, to), a layer's output, into out[at, at + 3).
     */
    private static void activationSums(Layer layer, float[] v, int from, int to, double[] out, int at) {
        long saturated = 0;
        boolean sig = layer instanceof Sigmoid;
        boolean tanh = layer instanceof Tanh;
        if (sig || tanh) {
            for (int i = from; i < to; i++) {
                if (sig && (v[i] < 0.02f || v[i] > 0.98f) || tanh && Math.abs(v[i]) > 0.99f) {
                    saturated++;
                }
            }
        }
        out[at] = BlockSums.sum(v, from, to);
        out[at + 1] = BlockSums.sumOfSquares(v, from, to);
        out[at + 2] = saturated;
    }

    /** The sampled probes of step {@code step}; its activations were counted in its halves if it ran so. */
    private void sample(long step) {
        boolean byHalves = step == actsStep;
        List<Parameter> all = model.params();
        for (Layer layer : layers) {
            double[] s = sums.computeIfAbsent(layer.index(), k -> new double[SLOTS + 1]);
            s[SLOTS] += 1;
            if (!layer.params().isEmpty()) {
                double g = 0;
                for (Parameter p : layer.params()) {
                    g += GradClip.squares(p);
                }
                Parameter w = layer.params().get(0);
                double wn = Math.sqrt(GradClip.squares(w.data()));
                s[0] += Math.sqrt(g);
                s[1] += wn;
                if (havePreStep) {
                    float[] before = preStepWeights[all.indexOf(w)];
                    double diff = BlockSums.sumOfSquaredDifferences(w.data(), before);
                    double base = BlockSums.sumOfSquares(before);
                    s[2] += base > 0 ? Math.sqrt(diff / base) : (diff > 0 ? Double.POSITIVE_INFINITY : 0);
                    s[3] += 1;
                }
            }
            Tensor y = layer.lastOutput();
            if (y != null) {
                int n = y.size();
                int at = 3 * layer.index();
                if (byHalves) { // counted in the halves, on the threads that computed them
                    for (int k = 0; k < 3; k++) {
                        wholeActs[at + k] = halfActs[0][at + k] + halfActs[1][at + k];
                    }
                } else {
                    activationSums(layer, y.data(), 0, n, wholeActs, at);
                }
                double mean = wholeActs[at] / n;
                s[4] += mean;
                s[5] += Math.sqrt(Math.max(0, wholeActs[at + 1] / n - mean * mean));
                s[6] += wholeActs[at + 2] / n;
            }
        }
    }

    @Override
    public void epochEnd(Events.EpochEnd e, Trainer.Control control) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "epoch");
        line.put("epoch", e.epoch());
        line.put("samples", samples);
        line.put("input", inputs.finishEpoch());
        List<Object> layerStats = new ArrayList<>();
        List<Parameter> all = model.params();
        for (Layer layer : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", layer.index());
            m.put("type", layer.type());
            double[] s = sums.get(layer.index());
            double count = s == null ? 0 : s[SLOTS];
            if (!layer.params().isEmpty() && count > 0) {
                Parameter w = layer.params().get(0);
                m.put("grad_norm", s[0] / count);
                m.put("weight_norm", s[1] / count);
                m.put("update_ratio", s[3] > 0 ? s[2] / s[3] : null);
                // the kernels training already compiled: a loop of its own here made C2 compile all of
                // epochEnd (60-120 ms of its time, twice, during the next epoch)
                float[] start = epochStartWeights[all.indexOf(w)];
                double diff = BlockSums.sumOfSquaredDifferences(w.data(), start);
                double base = BlockSums.sumOfSquares(start);
                m.put("weight_change", base > 0 ? Math.sqrt(diff / base) : Math.sqrt(diff));
            }
            if (count > 0 && layer.lastOutput() != null) {
                m.put("act_mean", s[4] / count);
                m.put("act_std", s[5] / count);
                if (layer instanceof Sigmoid || layer instanceof Tanh) {
                    m.put("saturated_fraction", s[6] / count);
                }
            }
            FiredUnits f = fired.get(layer.index());
            if (f != null) {
                m.put("dead_fraction", (double) f.dead() / f.units());
            }
            layerStats.add(m);
        }
        line.put("layers", layerStats);
        write(line);
        try {
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void write(Map<String, Object> line) {
        try {
            out.write(Json.write(line));
            out.newLine();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void runEnd(Events.RunEnd e, Trainer.Control control) {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
