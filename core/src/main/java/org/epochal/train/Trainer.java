package org.epochal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.config.Experiment;
import org.epochal.config.Optimizers;
import org.epochal.io.SafeTensors;
import org.epochal.io.Weights;
import org.epochal.kernel.Gemm;
import org.epochal.kernel.Parallel;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Dropout;
import org.epochal.layer.Layer;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.loss.Loss;
import org.epochal.optim.GradClip;
import org.epochal.optim.Optimizer;
import org.epochal.schedule.ScheduleList;
import org.epochal.schedule.Schedules;
import org.epochal.tensor.Tensor;

/**
 * The epoch loop. {@link #fit()} reads top to bottom: epoch → batches → forward → loss → backward → clip →
 * step → schedule → events. Everything optional (logging, checkpoints, early stopping, diagnostics) is a
 * {@link Callback}. The trainer's own state (weights, optimizer, schedules, position, generators) is
 * {@link Stateful}, so a checkpoint can resume it bit for bit.
 */
public final class Trainer implements Stateful, AutoCloseable {
    /** What callbacks may ask of the loop: to stop after the current epoch (or batch, for divergence). */
    public static final class Control {
        private final Trainer trainer;
        private String stopReason;

        private Control(Trainer trainer) {
            this.trainer = trainer;
        }

        /** The trainer being watched: its model, optimizer and data, for callbacks that measure them. */
        public Trainer trainer() {
            return trainer;
        }

        public void requestStop(String reason) {
            if (stopReason == null) {
                stopReason = reason;
            }
        }

        public boolean stopRequested() {
            return stopReason != null;
        }

        public String stopReason() {
            return stopReason;
        }
    }

    private final Experiment experiment;
    private final TrainingData data;
    private final Sequential model;
    private final List<Parameter> params;
    private final Optimizer optimizer;
    private final Loss loss;
    private final ScheduleList schedules;
    private final BatchLoader loader;
    private final Evaluator evaluator;
    private final Metrics trainMetrics;
    private final List<Callback> callbacks = new ArrayList<>();
    private final Parallel parallel;
    /** How the optimizer's step is split between threads (when there are several). */
    private final Optimizer.Split splitUpdate;
    /** Null, or what picks all threads or one for each step ({@link #chooseThreads}). */
    private ThreadChoice choice;
    private boolean allThreads = true;
    private final double baseLr;
    private final Control control = new Control(this);
    /** The callbacks told of each batch before its batchEnd ({@link Callback#batchComputed}). */
    private Callback[] early = new Callback[0];
    /** The batch they are told of, and the body that tells them (on worker 1 during the step: startAsync). */
    private Events.BatchEnd computed;
    private final Runnable batchComputed = this::batchComputed;
    /** Steps by halves of the batch, for the batches and models that allow them. */
    private final HalvesStep halves;
    private int epochsDone;
    private long step;

    /** A trainer for {@code model} (built and initialised) on {@code data}, running kernels on N threads. */
    public Trainer(Experiment experiment, TrainingData data, Sequential model, int threads) {
        this.experiment = experiment;
        this.data = data;
        this.model = model;
        this.params = model.params();
        this.parallel = new Parallel(threads);
        model.setParallel(parallel);
        this.optimizer = Optimizers.create(experiment.optimizer(), model.params());
        int batch = experiment.data().batchSize();
        boolean panels = batch == 1 && optimizer.fusesOuterGradients() && BatchOneLayout.apply(model);
        this.splitUpdate = batch >= SPLIT_UPDATE_MIN_BATCH ? Optimizer.Split.CHUNKS
                : panels ? Optimizer.Split.PANELS : Optimizer.Split.NONE;
        optimizer.setParallel(parallel, splitUpdate);
        this.baseLr = optimizer.lr();
        this.loss = Loss.of(experiment.loss());
        this.schedules = Schedules.list(experiment.schedules());
        this.loader = new BatchLoader(data.train(), data.additions(), experiment.data(), experiment.seed());
        loader.setParallel(parallel);
        int evalBatch = Math.max(experiment.data().batchSize(), Math.min(1024, 4 * experiment.data().batchSize()));
        this.evaluator = new Evaluator(model, experiment.loss(), experiment.metrics(), evalBatch);
        this.trainMetrics = new Metrics(experiment.loss(), experiment.metrics());
        this.halves = new HalvesStep(model, loader, loss, optimizer, experiment.clipGradNorm() != null);
    }

    /**
     * Runs each step on all of the trainer's threads or on one, whichever measured faster in this run
     * ({@link ThreadChoice}); the weights are the same bits either way. Off: always all threads.
     */
    public Trainer chooseThreads(boolean on) {
        return chooseThreads(on && parallel.threads() > 1 ? new ThreadChoice() : null);
    }

    /** Steps by halves from this batch size on ({@link HalvesStep#MIN_BATCH}; tests compare them with whole steps). */
    Trainer halvesFrom(int minBatch) {
        halves.setMinBatch(minBatch);
        return this;
    }

    /** With a given chooser (tests: short windows), or null for all threads always. */
    Trainer chooseThreads(ThreadChoice chooser) {
        this.choice = chooser;
        useAllThreads(true);
        return this;
    }

    private void useAllThreads(boolean all) {
        if (all != allThreads) {
            Parallel p = all ? parallel : Parallel.SEQUENTIAL;
            model.setParallel(p);
            optimizer.setParallel(p, splitUpdate);
            loader.setParallel(p);
            allThreads = all;
        }
    }

    public Trainer addCallback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /** Trains from the epoch after the last one done (1 for a new run) to the experiment's last epoch. */
    public Events.RunEnd fit() {
        int epochs = experiment.epochs();
        awaitCompiledKernels();
        loader.startEpoch(epochsDone + 1);
        var start = new Events.RunStart(epochsDone + 1, epochs, loader.samples(), loader.batches(), step);
        callbacks.forEach(c -> c.runStart(start, control));
        boolean diverged = false;
        int epoch = epochsDone;
        int firstEpoch = epochsDone + 1;
        StepTimes times = new StepTimes(loader.batches());
        early = callbacks.stream().filter(Callback::takesComputedBatches).toArray(Callback[]::new);
        halves.start(callbacks);
        while (epoch < epochs && !control.stopRequested()) {
            epoch++;
            long began = System.nanoTime();
            loader.startEpoch(epoch);
            trainMetrics.reset();
            double lr = setLr(epoch);
            var epochStart = new Events.EpochStart(epoch, loader.batches(), loader.samples(), lr);
            callbacks.forEach(c -> c.epochStart(epochStart, control));
            long stepBegan = 0; // a step's time runs from its batch's arrival to the next one's
            for (int b = 0; b < loader.batches(); b++) {
                times.start(epoch == epochs, model);
                lr = setLr(epoch);
                boolean byHalves = halves.takes(b);
                Tensor x = byHalves ? halves.batch(b) : loader.batch(b);
                if (choice != null && epoch > firstEpoch) {
                    // no gather of the loader's is pending here: the setting may change
                    long now = System.nanoTime();
                    if (stepBegan != 0) {
                        choice.stepTook(now - stepBegan);
                    }
                    stepBegan = now;
                    useAllThreads(choice.allThreads());
                }
                Tensor y = loader.targets();
                model.zeroGrad();
                times.mark(0);
                float value;
                Tensor out;
                boolean stepped = false;
                if (byHalves) { // forward, loss and backward in one (StepTimes: all in "forward")
                    // without clipping, the optimizer steps chunk by chunk as the halves are summed
                    value = halves.run(x, y, step + 1);
                    stepped = halves.stepped();
                    out = model.lastOutput();
                    times.mark(1);
                } else {
                    out = model.forward(x, true);
                    times.mark(1);
                    value = loss.compute(out, y, true);
                }
                double gradNorm = Double.NaN;
                boolean finite = Float.isFinite(value);
                if (finite) {
                    trainMetrics.add(out.data(), y.data(), x.batch(), out.sampleSize(), value);
                    times.mark(2);
                    if (!byHalves) {
                        model.backward(loss.gradient());
                    }
                    times.mark(3);
                    // by halves, the norm comes with the halves' sums (the same bits as globalNorm's)
                    double norm = byHalves ? model.halvesGradNorm() : GradClip.globalNorm(params);
                    gradNorm = experiment.clipGradNorm() != null
                            ? GradClip.clipGradNorm(params, experiment.clipGradNorm(), norm) : norm;
                    times.mark(4);
                }
                var batchEnd = new Events.BatchEnd(epoch, b + 1, step + 1, x.batch(), value, lr, gradNorm);
                // the next batch (a large one) is gathered on worker 1 while the callbacks run, unless its halves
                // gather it
                boolean prefetch = finite && loader.prefetches() && b + 1 < loader.batches() && !halves.gathers(b + 1);
                if (finite && stepped) { // the step is done: the batch's row and counts here
                    computed = batchEnd;
                    times.mark(5);
                    if (prefetch) {
                        loader.prefetch(b + 1);
                    }
                    batchComputed();
                } else if (finite) {
                    computed = batchEnd;
                    // the batch's row and counts: on worker 1 while the optimizer steps, unless it is to gather
                    // the next batch while the callbacks run: then here, after the step
                    boolean onWorker = early.length > 0 && !prefetch;
                    if (onWorker) {
                        parallel.startAsync(batchComputed);
                    }
                    optimizer.step();
                    if (onWorker) {
                        parallel.awaitAsync();
                    }
                    times.mark(5);
                    if (prefetch) {
                        loader.prefetch(b + 1); // on worker 1 while the callbacks run here
                    }
                    if (!onWorker) {
                        batchComputed();
                    }
                }
                step++;
                for (int c = 0; c < callbacks.size(); c++) {
                    callbacks.get(c).batchEnd(batchEnd, control);
                }
                times.mark(6);
                times.end();
                if (!finite) {
                    diverged = true;
                    control.requestStop("diverged: loss " + value + " at epoch " + epoch + ", batch " + (b + 1));
                    break;
                }
            }
            if (diverged) {
                break;
            }
            double trainSeconds = (System.nanoTime() - began) / 1e9;
            Map<String, Double> values = epochValues();
            schedules.endEpoch(values);
            epochsDone = epoch;
            double seconds = (System.nanoTime() - began) / 1e9;
            var epochEnd = new Events.EpochEnd(epoch, values, lr, seconds, loader.samples() / trainSeconds,
                    loader.samples());
            callbacks.forEach(c -> c.epochEnd(epochEnd, control));
        }
        times.print(System.err, model);
        var end = new Events.RunEnd(epoch, step, control.stopReason(), diverged);
        callbacks.forEach(c -> c.runEnd(end, control));
        return end;
    }

    /** Tells the early callbacks of the batch in {@link #computed}. */
    private void batchComputed() {
        for (Callback c : early) {
            c.batchComputed(computed);
        }
    }

    /**
     * From this batch size on, the optimizer's step runs on all threads ({@link Optimizer#setParallel}: each
     * thread the same share of the parameters every step, taking over the other's when that one is late).
     * From batch 32 the first layer's weight gradient is a product both threads compute (at 16 it runs on
     * one, GemmPlan.oneThread), so half of it is already on the other core. On the Zen 5 machine, in one
     * process switching every 20 batches on two threads (µs a step: batch 512 4,844–6,040 → 4,237–4,786, 64
     * 871–1,009 → 865–943, 32 800–808 → 727–767), and slower where the gradient comes from one thread (16:
     * 409–443 → 480; 1: 201–211 → 258–272). On the Zen 4 machine (2026-12-02) the update at batch 1 split so
     * took 85 µs against 117–138 in the median step, but whole runs were slower (epoch 3 of 3,000 samples,
     * median of five: 4,137 against 5,233 samples/s): the second vCPU, shared with the JIT's compiler
     * threads early in a run, now and then stalls a step by a millisecond.
     */
    static final int SPLIT_UPDATE_MIN_BATCH = 32;


    /** Parameters × samples × epochs (about the forward pass's multiply-adds) past which training waits for the JIT. */
    static final double WAIT_MIN_WORK = 1e9;
    /** The longest wait (the warm-up itself gives up after 10 s, or 3 s on a JVM without C2). */
    private static final long WAIT_MAX_MILLIS = 10_000;

    /**
     * Waits for the kernels' background warm-up ({@link Gemm#awaitWarmUp}) when the run is large. Until C2
     * has compiled them, the Vector API loops run a hundred times slower than after; the Fashion-MNIST MLP
     * spent 1.1 s in the pre-flight measurement and its first epoch ran at 39,000 samples/s against 98,000
     * after it. Waiting leaves both cores to the compiler and the warm-up instead. A small run (the digits,
     * iris) has less work than the warm-up takes, so it starts at once.
     */
    private void awaitCompiledKernels() {
        if (!waitsForWarmUp(model.parameterCount(), data.train().size(), experiment.epochs() - epochsDone)) {
            return;
        }
        try {
            Gemm.awaitWarmUp(WAIT_MAX_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a run of this size waits: parameters × samples × epochs ≥ {@link #WAIT_MIN_WORK}. */
    static boolean waitsForWarmUp(long parameters, long samples, int epochs) {
        return (double) parameters * samples * epochs >= WAIT_MIN_WORK;
    }

    private double setLr(int epoch) {
        double lr = schedules.lr(baseLr, epoch, step);
        optimizer.setLr(lr);
        return lr;
    }

    /** train_loss, train_METRIC, then val_ and test_ from evaluation, in epochs.csv's column order. */
    private Map<String, Double> epochValues() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("train_loss", trainMetrics.loss());
        for (String m : experiment.metrics()) {
            values.put("train_" + m, trainMetrics.metric(m));
        }
        if (data.validation() != null) {
            evaluator.evaluate(data.validation()).forEach((k, v) -> values.put("val_" + k, v));
        }
        if (data.test() != null) {
            evaluator.evaluate(data.test()).forEach((k, v) -> values.put("test_" + k, v));
        }
        return values;
    }

    public Experiment experiment() {
        return experiment;
    }

    public Sequential model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public TrainingData data() {
        return data;
    }

    public BatchLoader loader() {
        return loader;
    }

    public Evaluator evaluator() {
        return evaluator;
    }

    public int epochsDone() {
        return epochsDone;
    }

    public long step() {
        return step;
    }

    public Control control() {
        return control;
    }

    @Override
    public String stateKey() {
        return "trainer";
    }

    /** Weights, batchnorm statistics, optimizer state, schedules, position and dropout generators. */
    @Override
    public State saveState() {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        List<Long> counters = new ArrayList<>();
        for (SafeTensors.Entry e : Weights.stateDict(model)) {
            if (e.floats() != null) {
                arrays.put("model." + e.name(), e.floats().clone());
            }
        }
        for (Layer layer : model.layers()) {
            if (layer instanceof BatchNorm bn) {
                counters.add(bn.batchesTracked());
            }
        }
        // in PyTorch's layout, like the weights: Parameter.transposed matrices are turned back
        optimizer.state().forEach((k, v) -> arrays.put("optimizer." + k, optimizer.stateOwner(k).copyInShapeOrder(v)));
        values.put("epochs_done", epochsDone);
        values.put("step", step);
        values.put("optimizer_steps", optimizer.steps());
        values.put("lr", optimizer.lr());
        values.put("batchnorm_batches", counters);
        values.put("schedules", schedules.state());
        Map<String, Object> rngs = new LinkedHashMap<>();
        for (Layer layer : model.layers()) {
            if (layer instanceof Dropout d) {
                List<String> s = new ArrayList<>();
                for (long v : d.rng().state()) {
                    s.add(Long.toString(v));
                }
                rngs.put(Integer.toString(layer.index()), s);
            }
        }
        values.put("dropout_rngs", rngs);
        return new State(values, arrays);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void restoreState(State state) {
        Map<String, Parameter> tensors = new LinkedHashMap<>(model.namedParams());
        tensors.putAll(model.namedBuffers());
        tensors.forEach((name, p) -> state.restore("model." + name, p, p.data()));
        optimizer.state().forEach((k, v) -> state.restore("optimizer." + k, optimizer.stateOwner(k), v));
        Map<String, Object> v = state.values();
        epochsDone = ((Number) v.get("epochs_done")).intValue();
        step = ((Number) v.get("step")).longValue();
        optimizer.setSteps(((Number) v.get("optimizer_steps")).longValue());
        optimizer.setLr(((Number) v.get("lr")).doubleValue());
        List<Object> counters = (List<Object>) v.get("batchnorm_batches");
        int i = 0;
        for (Layer layer : model.layers()) {
            if (layer instanceof BatchNorm bn) {
                bn.setBatchesTracked(((Number) counters.get(i++)).longValue());
            }
        }
        schedules.restore((List<Map<String, Object>>) v.get("schedules"));
        Map<String, Object> rngs = (Map<String, Object>) v.get("dropout_rngs");
        for (Layer layer : model.layers()) {
            if (layer instanceof Dropout d) {
                List<Object> s = (List<Object>) rngs.get(Integer.toString(layer.index()));
                long[] longs = new long[4];
                for (int k = 0; k < 4; k++) {
                    longs[k] = Long.parseLong(s.get(k).toString());
                }
                d.rng().setState(longs);
            }
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
