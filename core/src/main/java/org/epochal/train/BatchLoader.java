package org.epochal.train;

import java.util.ArrayList;
import java.util.List;
import org.epochal.config.Experiment;
import org.epochal.data.Dataset;
import org.epochal.kernel.Parallel;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * Serves an epoch's training batches. The epoch's data is the base set plus every addition whose epoch
 * has come; its order is a pure function of (seed, epoch) — a fresh shuffle each epoch, or the data's own
 * order when shuffling is off — so a resumed run sees exactly the batches the uninterrupted one saw.
 * Batches are gathered into two reused tensors; gaussian-noise augmentation is drawn from (seed, epoch,
 * batch).
 */
public final class BatchLoader {
    private final List<Integer> stageEpochs = new ArrayList<>();
    private final List<Dataset> stages = new ArrayList<>();
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final List<Experiment.AugmentSpec> augment;
    private Dataset current;
    private int[] order = new int[0];
    private int epoch;
    private Tensor x;
    private Tensor y;
    private static final int GATHER_ROWS = 32;
    private Parallel parallel = Parallel.SEQUENTIAL;
    private final Parallel.Task gather = this::gatherRows;
    private int gatherStart;
    private int gatherCount;

    public BatchLoader(Dataset base, List<TrainingData.Addition> additions, Experiment.DataSpec spec, long seed) {
        this.batchSize = spec.batchSize();
        this.shuffle = spec.shuffle();
        this.dropLast = spec.dropLast();
        this.seed = seed;
        this.augment = spec.augment();
        Dataset data = base;
        stageEpochs.add(1);
        stages.add(base);
        List<TrainingData.Addition> sorted = new ArrayList<>(additions);
        sorted.sort(java.util.Comparator.comparingInt(TrainingData.Addition::epoch));
        for (TrainingData.Addition a : sorted) {
            data = data.concat(a.data());
            stageEpochs.add(a.epoch());
            stages.add(data);
        }
    }

    /** Prepares epoch {@code e} (from 1): its data and its order. */
    public void startEpoch(int e) {
        epoch = e;
        Dataset data = stages.get(0);
        for (int i = 0; i < stages.size(); i++) {
            if (stageEpochs.get(i) <= e) {
                data = stages.get(i);
            }
        }
        current = data;
        if (order.length != data.size()) {
            order = new int[data.size()];
        }
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Rng.derive(seed, 0x5EED, e).shuffle(order);
        }
    }

    /** The data of the current epoch. */
    public Dataset data() {
        return current;
    }

    public int batches() {
        int n = current.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Samples trained on this epoch (all, or all but the dropped remainder). */
    public int samples() {
        return dropLast ? batches() * batchSize : current.size();
    }

    /** Sample index order of this epoch (not a copy). */
    public int[] order() {
        return order;
    }

    /** Fills and returns the inputs of batch {@code b} (from 0); {@link #targets()} then holds its targets. */
    public Tensor batch(int b) {
        int start = b * batchSize;
        int count = Math.min(batchSize, current.size() - start);
        int d = current.sampleSize();
        int t = current.targetWidth();
        x = Tensor.reuse(x, count, current.sampleShape());
        y = Tensor.reuse(y, count, t == 1 ? new int[0] : new int[] {t});
        gatherStart = start;
        gatherCount = count;
        float[] xd = x.data();
        if (gatheredByAll()) {
            // A large batch is gathered by every thread: the rows are scattered over the data set, and one
            // core waiting on memory for them was a tenth of an MLP step at batch 512.
            parallel.forEach(Parallel.chunks(count, GATHER_ROWS), gather);
        } else {
            gatherRows(0);
        }
        for (Experiment.AugmentSpec a : augment) {
            if (epoch >= a.fromEpoch() && a.std() > 0) {
                Rng rng = Rng.derive(seed, 0xA06, epoch, b);
                float std = (float) a.std();
                for (int i = 0; i < count * d; i++) {
                    xd[i] += std * (float) rng.nextGaussian();
                }
            }
        }
        return x;
    }

    /** Rows [task·GATHER_ROWS, …) of the batch being gathered (all of them for task 0 of a small batch). */
    private void gatherRows(int task) {
        int d = current.sampleSize();
        int t = current.targetWidth();
        float[] features = current.features();
        float[] targets = current.targets();
        float[] xd = x.data();
        float[] yd = y.data();
        boolean all = !gatheredByAll();
        int from = all ? 0 : task * GATHER_ROWS;
        int to = all ? gatherCount : Math.min(gatherCount, from + GATHER_ROWS);
        for (int i = from; i < to; i++) {
            int s = order[gatherStart + i];
            System.arraycopy(features, s * d, xd, i * d, d);
            System.arraycopy(targets, s * t, yd, i * t, t);
        }
    }

    /** Whether the batch being gathered is large enough (32K floats) to be split across the threads. */
    private boolean gatheredByAll() {
        return (long) gatherCount * current.sampleSize() >= 1 << 15;
    }

    /** Gathers large batches on these threads (a copy: the same bits whatever the split). */
    public void setParallel(Parallel parallel) {
        this.parallel = parallel;
    }

    public Tensor targets() {
        return y;
    }

    /** The inputs of the last batch served (what the model just trained on). */
    public Tensor lastBatch() {
        return x;
    }
}
