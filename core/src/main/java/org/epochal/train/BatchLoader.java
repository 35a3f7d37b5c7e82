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
    /** Two buffer pairs: the batch being trained on, and the next one being gathered ({@link #prefetch}). */
    private final Tensor[] xs = new Tensor[2];
    private final Tensor[] ys = new Tensor[2];
    private int slot;
    /** The batch gathered (or being gathered) into the other buffers, or -1. */
    private int prefetched = -1;
    private static final int GATHER_ROWS = 32;
    /**
     * Floats a batch must have to be gathered ahead. Fashion-MNIST MLP on two threads, steps timed in one
     * process alternating every 20 batches, µs a step without / with: batch 512 3,891–5,048 / 3,617–4,392
     * (3 runs), 64 832–890 / 923–979 (slower: a gather of 45 µs does not repay the hand-off). Whole runs at
     * 512, each ±10%, showed no difference (docs/performance-log.md). With the whole batch gathered on the
     * worker during the callbacks (2026-12-03, switching every 20 steps), batch 64 came out even: the mean
     * step within 7% either way, lower in 4 of 6 runs.
     */
    static final long PREFETCH_MIN = 1 << 17;
    private Parallel parallel = Parallel.SEQUENTIAL;
    private final Parallel.Task gather = this::gatherRows;
    /** The sum of the floats {@link #copyRows} reads ahead (unused: it keeps the JIT from dropping the reads). */
    private float touched;
    private final Runnable gatherAhead = this::gatherAhead;
    /** The batch the gather fills: its first index in the order, its size, its buffers. */
    private int gatherStart;
    private int gatherCount;
    private float[] gatherX;
    private float[] gatherY;

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
        dropPrefetch();
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
        identity(order);
        if (shuffle) {
            Rng.derive(seed, 0x5EED, e).shuffle(order);
        }
    }

    /** a[i] = i. A method of its own: its loop in startEpoch made C2 compile all of that (twice, 20-40 ms). */
    private static void identity(int[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
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
        if (b == prefetched) {
            parallel.awaitAsync();
            prefetched = -1;
            slot ^= 1;
        } else {
            dropPrefetch();
            setUp(slot, b);
            if (gatheredByAll()) {
                // A large batch is gathered by every thread: the rows are scattered over the data set, and one
                // core waiting on memory for them was a tenth of an MLP step at batch 512.
                parallel.forEach(Parallel.chunks(gatherCount, GATHER_ROWS), gather);
            } else {
                gatherRows(0);
            }
        }
        Tensor x = xs[slot];
        float[] xd = x.data();
        int size = x.size(); // the batch's floats (gatherCount samples)
        for (Experiment.AugmentSpec a : augment) {
            if (epoch >= a.fromEpoch() && a.std() > 0) {
                Rng rng = Rng.derive(seed, 0xA06, epoch, b);
                float std = (float) a.std();
                for (int i = 0; i < size; i++) {
                    xd[i] += std * (float) rng.nextGaussian();
                }
            }
        }
        return x;
    }

    /** The samples in batch {@code b} of this epoch. */
    public int rows(int b) {
        return Math.min(batchSize, current.size() - b * batchSize);
    }

    /**
     * Whether batch {@code b} may be served unfilled ({@link #batchLater}): no augmentation applies this epoch
     * (its noise is drawn over the whole batch in order).
     */
    public boolean gathersLater(int b) {
        for (Experiment.AugmentSpec a : augment) {
            if (epoch >= a.fromEpoch() && a.std() > 0) {
                return false;
            }
        }
        return b < batches();
    }

    /**
     * Batch {@code b}'s input tensor (and {@link #targets()}) sized but not filled: whoever computes its samples
     * gathers them first ({@link #gatherRows}), in a step by halves each thread its own, so that its rows are
     * written by the core that reads them. On two dies, the worker gathering the whole batch wrote rows the
     * other core had read the step before, the slow kind of write there. Only when {@link #gathersLater}.
     */
    public Tensor batchLater(int b) {
        dropPrefetch();
        setUp(slot, b);
        return xs[slot];
    }

    /** Samples [from, to) of the batch {@link #batchLater} served, into its tensors (a copy: any split, the same bits). */
    public void gatherRows(int from, int to) {
        copyRows(from, to);
    }

    /**
     * Starts gathering batch {@code b} into the other buffers, to be served by the next {@code batch(b)}: the
     * trainer calls it once the optimizer has stepped, and worker 1 gathers the rows (random rows of the data
     * set: 0.3 ms for a batch of 512) while the caller runs the callbacks, which leave the worker idle. Timed in
     * one process switching every 10 steps (two threads, batch 512, 2026-12-03), against the caller gathering
     * the first half when it asks for the batch: the batch phase's median 16–91 µs against 127–191, the
     * forward no slower (the caller's half comes from the other die's cache, which is fast to read; what is
     * slow between the dies is writing lines the other die has read, and that now falls on the worker, off
     * the step's path), the mean step 7–21% lower in 7 of 7 runs. Started right after backward, the gather
     * kept the worker from its share of the optimizer's step (its median 144–289 µs against 195–233). A copy:
     * the same bits. Only for batches of {@link #PREFETCH_MIN} floats or more, on two or more threads, within
     * the epoch.
     */
    public void prefetch(int b) {
        if (!prefetches() || b >= batches()) {
            return;
        }
        dropPrefetch();
        setUp(slot ^ 1, b);
        prefetched = b;
        parallel.startAsync(gatherAhead);
    }

    /** Whether the next batch is gathered on worker 1 during this one's callbacks ({@link #prefetch}). */
    public boolean prefetches() {
        return parallel.threads() > 1 && (long) batchSize * current.sampleSize() >= PREFETCH_MIN;
    }

    /** Waits for a prefetch nobody will use (a new epoch, another batch asked for). */
    private void dropPrefetch() {
        if (prefetched >= 0) {
            parallel.awaitAsync();
            prefetched = -1;
        }
    }

    /** Sizes buffers {@code s} for batch {@code b} and points the gather at them. */
    private void setUp(int s, int b) {
        int t = current.targetWidth();
        gatherStart = b * batchSize;
        gatherCount = Math.min(batchSize, current.size() - gatherStart);
        xs[s] = Tensor.reuse(xs[s], gatherCount, current.sampleShape());
        ys[s] = Tensor.reuse(ys[s], gatherCount, t == 1 ? new int[0] : new int[] {t});
        gatherX = xs[s].data();
        gatherY = ys[s].data();
    }

    /** The prefetched batch's rows, on the worker. */
    private void gatherAhead() {
        copyRows(0, gatherCount);
    }

    /** Rows [task·GATHER_ROWS, …) of the batch being gathered (all of them for task 0 of a small batch). */
    private void gatherRows(int task) {
        boolean all = !gatheredByAll();
        int from = all ? 0 : task * GATHER_ROWS;
        copyRows(from, all ? gatherCount : Math.min(gatherCount, from + GATHER_ROWS));
    }

    /**
     * Rows [from, to) of the batch set up last into its buffers. The rows lie at random in a data set far
     * larger than the caches (188 MB for Fashion-MNIST), and copied one after the other each waits for memory
     * before the prefetcher takes over; so a first pass reads the first and last float of every row, their
     * misses in flight together, then the copies run. A batch of 512 on one thread: 297–314 → 157–199 µs a
     * batch (median; `-Depochal.stepTimes=true`).
     */
    private void copyRows(int from, int to) {
        int d = current.sampleSize();
        int t = current.targetWidth();
        float[] features = current.features();
        float[] targets = current.targets();
        float[] xd = gatherX;
        float[] yd = gatherY;
        if (to - from > 1 && d > 0) {
            float ends = 0;
            for (int i = from; i < to; i++) {
                int s = order[gatherStart + i];
                ends += features[s * d] + features[s * d + d - 1];
            }
            touched = ends; // kept, so that the reads are
        }
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
        return ys[slot];
    }

    /** The inputs of the last batch served (what the model just trained on). */
    public Tensor lastBatch() {
        return xs[slot];
    }
}
