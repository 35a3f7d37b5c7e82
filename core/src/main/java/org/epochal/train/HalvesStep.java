package org.epochal.train;

import java.util.List;
import org.epochal.layer.Sequential;
import org.epochal.loss.Loss;
import org.epochal.optim.Optimizer;
import org.epochal.tensor.Tensor;

/**
 * How the trainer runs a step by halves of the batch (Sequential#trainByHalves): which batches go so, each half
 * gathering its own samples (unless augmentation draws its noise over the whole batch), the callbacks told of
 * each half ({@link Callback#halfComputed}), and, without clipping, the optimizer stepping chunk by chunk as the
 * halves' gradients are summed (Sequential.StepInChunks).
 */
final class HalvesStep implements Sequential.HalfHook {
    /**
     * From this batch size on, a model whose layers all allow it trains by halves, on any thread count, so the
     * same bits on every one. Fashion-MNIST MLP, in one process switching every two steps (epochs 2–4): the
     * median step by halves over the whole step's at 512 0.88–0.94 on two threads and 0.99–1.03 on one; at 256
     * 0.88–0.92 and 0.95–1.03; at 64 1.00–1.02 on two threads but 1.14–1.18 on one. The Fashion-MNIST CNN
     * (2026-12-04, epochs 2–3): at 256 0.976–0.994 on two threads and 0.934–0.936 on one; at 64 0.989–0.993 on
     * two but 1.05–1.075 on one (a whole step's convolution on one thread is one product over the batch; the
     * halves run a few samples at a time and stream the linear layer's weight twice).
     */
    static final int MIN_BATCH = 256;

    private final Sequential model;
    private final BatchLoader loader;
    private final Loss loss;
    private final boolean modelRuns;
    /** The optimizer's step in chunks, or null: with clipping (it needs the whole norm first), or not allowed. */
    private final Sequential.StepInChunks chunkStep;
    private int minBatch = MIN_BATCH;
    private Callback[] watchers = new Callback[0];
    /** Whether the current step gathers its samples in its halves ({@link BatchLoader#batchLater}). */
    private boolean gather;
    /** The current step's number (its BatchEnd's). */
    private long step;

    HalvesStep(Sequential model, BatchLoader loader, Loss loss, Optimizer optimizer, boolean clipping) {
        this.model = model;
        this.loader = loader;
        this.loss = loss;
        this.modelRuns = model.runsByHalves();
        this.chunkStep = !clipping && optimizer.updatesInRanges() ? optimizer.inChunks() : null;
    }

    /** Takes the callbacks that watch halves; when training starts. */
    void start(List<Callback> callbacks) {
        watchers = callbacks.stream().filter(Callback::takesHalves).toArray(Callback[]::new);
    }

    /** Tests: from this batch size on (Integer.MAX_VALUE: never). */
    void setMinBatch(int minBatch) {
        this.minBatch = minBatch;
    }

    /** Whether batch b of this epoch runs by halves. */
    boolean takes(int b) {
        return modelRuns && loader.rows(b) >= minBatch;
    }

    /** Whether batch b runs by halves and gathers its own samples (so nothing is to gather it ahead). */
    boolean gathers(int b) {
        return takes(b) && loader.gathersLater(b);
    }

    /** Batch b's inputs (its targets in loader.targets()): unfilled if its halves gather them. */
    Tensor batch(int b) {
        gather = loader.gathersLater(b);
        return gather ? loader.batchLater(b) : loader.batch(b);
    }

    /** Forward, loss and backward (and the step, unless clipping) of {@link #batch}'s batch; the mean loss. */
    float run(Tensor x, Tensor y, long step) {
        this.step = step;
        return model.trainByHalves(x, y, loss, this, chunkStep);
    }

    /** Whether the last {@link #run} stepped the optimizer. */
    boolean stepped() {
        return model.halvesStepped();
    }

    @Override
    public void before(int half, int from, int to) {
        if (gather) {
            loader.gatherRows(from, to);
        }
    }

    @Override
    public void after(int half, int from, int to) {
        for (Callback c : watchers) {
            c.halfComputed(step, half, from, to);
        }
    }
}
