package org.epochal.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.kernel.BlockSums;
import org.epochal.kernel.Parallel;
import org.epochal.loss.Loss;
import org.epochal.rng.Rng;
import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A list of layers applied in order, as nn.Sequential: builds them from the per-sample input shape,
 * names their parameters "{index}.weight" like PyTorch's state_dict, and runs forward and backward.
 */
public final class Sequential {
    private final int[] inputShape;
    private final List<Layer> layers;
    private final int[] outputShape;
    /** Index of the first layer with parameters (the layer count if none): where backward stops. */
    private final int firstWithParams;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Parameter> buffers = new LinkedHashMap<>();
    private Parallel parallel = Parallel.SEQUENTIAL;
    /** The current step by halves ({@link #trainByHalves}): its loss, batch size and each half's loss sum. */
    private Loss halvesLoss;
    private HalfHook halvesHook;
    private int halvesBatch;
    private final double[] halfLoss = new double[2];
    private final Parallel.Task halves = this::runHalf;
    private final Parallel.RangeTask addHalves = this::addHalfSums;
    /** Elements per chunk of the halves' gradient sums, shared by the threads as the optimizer's step is. */
    private static final int HALF_SUM_GRAIN = BlockSums.BLOCK;
    /** Per chunk, the lane sums of its squares (BlockSums#addAndSquareBlock), and the norm they gave. */
    private float[] chunkLanes;
    private double halvesGradNorm = Double.NaN;
    private Parameter[] chunkParam;
    private int[] chunkParamIndex;
    /** The current step by halves' update (null: none), and whether the last one updated. */
    private StepInChunks halvesStep;
    private boolean halvesStepped;
    private int[] chunkFrom;
    private int[] chunkTo;

    /** Builds every layer in order; an impossible shape fails here naming the layer. */
    public Sequential(int[] inputShape, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer");
        }
        for (int d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("input shape " + Shapes.toString(inputShape)
                        + " must have positive dimensions");
            }
        }
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        int[] shape = inputShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            shape = layer.build(i, shape);
            for (Parameter p : layer.params()) {
                params.put(i + "." + p.name(), p);
            }
            for (Parameter b : layer.buffers()) {
                buffers.put(i + "." + b.name(), b);
            }
        }
        this.outputShape = shape;
        int first = layers.size();
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (!layers.get(i).params().isEmpty()) {
                first = i;
            }
        }
        this.firstWithParams = first;
        for (int i = 1; i < layers.size(); i++) {
            // the pairs backward runs in one pass (see backward) also run forward in one
            if (layers.get(i) instanceof MaxPool2d pool && layers.get(i - 1) instanceof ReLU relu
                    && i - 1 > first) {
                relu.deferToPooling();
                pool.rectifyInput();
            }
        }
    }

    public Sequential(int[] inputShape, Layer... layers) {
        this(inputShape, Arrays.asList(layers));
    }

    /**
     * Draws every parameter from one generator, layer by layer, weight before bias; dropout layers get
     * generators derived from the same seed.
     */
    public void initialize(long seed) {
        Rng rng = new Rng(seed);
        for (Layer layer : layers) {
            layer.initialize(rng);
            if (layer instanceof Dropout d) {
                d.setRng(Rng.derive(seed, 0xD50, layer.index()));
            }
        }
    }

    /** Runs the layers on {@code threads} threads (results are the same bits for any count). */
    public void setParallel(Parallel parallel) {
        this.parallel = parallel;
        for (Layer layer : layers) {
            layer.setParallel(parallel);
        }
    }

    public Tensor forward(Tensor x, boolean training) {
        Tensor t = x;
        boolean timed = layerNanos != null && training;
        for (int i = 0; i < layers.size(); i++) {
            long start = timed ? System.nanoTime() : 0;
            t = layers.get(i).forward(t, training);
            if (timed) {
                layerNanos[2 * i] += System.nanoTime() - start;
            }
        }
        return t;
    }

    /** Per layer, nanoseconds of training forward (2i) and backward (2i + 1) since {@link #timeLayers}. */
    private long[] layerNanos;

    /** From now on, times each layer's training forward and backward (for performance work; off: null). */
    public void timeLayers(boolean on) {
        layerNanos = on ? new long[2 * layers.size()] : null;
    }

    /** µs of forward and backward per layer since {@link #timeLayers}, over {@code steps} steps, as text. */
    public String layerTimes(int steps) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; layerNanos != null && i < layers.size(); i++) {
            text.append(String.format(java.util.Locale.ROOT, " %d.%s %.0f/%.0f", i, layers.get(i).type(),
                    layerNanos[2 * i] / 1e3 / steps, layerNanos[2 * i + 1] / 1e3 / steps));
        }
        return text.toString();
    }

    /**
     * Back-propagates dLoss/dOutput, accumulating parameter gradients. It stops at the first layer with
     * parameters: nothing reads a gradient below it (for flatten → linear, the 512×784·784×256 input
     * gradient the linear layer would otherwise compute is a third of an MLP step). A ReLU followed by max
     * pooling is back-propagated by the pooling layer in one pass.
     */
    public void backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= firstWithParams; i--) {
            Layer layer = layers.get(i);
            long start = layerNanos == null ? 0 : System.nanoTime();
            int timed = i;
            if (layer instanceof MaxPool2d pool && i - 1 > firstWithParams && layers.get(i - 1) instanceof ReLU) {
                g = pool.backwardThroughRelu(g); // the ReLU's backward too, in the same pass (same bits)
                i--;
            } else {
                g = layer.backward(g, i > firstWithParams);
            }
            if (layerNanos != null) {
                layerNanos[2 * timed + 1] += System.nanoTime() - start;
            }
        }
    }

    /**
     * Whether a training step may run by halves of the batch ({@link #trainByHalves}): every
     * layer treats its samples apart (no batch statistics, nothing drawn at random) and the weights are stored
     * row by row (not a batch of one's layouts).
     */
    public boolean runsByHalves() {
        for (Layer layer : layers) {
            if (!layer.runsByHalves()) {
                return false;
            }
        }
        return true;
    }

    /**
     * One training step's forward pass, loss and backward pass, by halves of the batch: samples [0, n/2) and
     * [n/2, n), each through every layer, the loss and back, on one thread alone, with each half's parameter
     * gradients summed apart and then added, first half plus second ({@link Parameter#addHalves}). On two
     * threads each runs one half: a thread keeps its samples, activations and gradients in its own cache, and
     * the threads meet twice a step (after the halves, after the sums) instead of at every layer. On one
     * thread the caller runs both halves in turn; on more than two, both halves run layer by layer on all of
     * them: the same operations, so the same bits, on any thread count. The gradients must be zero
     * ({@link #zeroGrad}); returns the batch's mean loss, and the output stays in the last layer's buffer
     * ({@link #lastOutput}).
     */
    public float trainByHalves(Tensor x, Tensor target, Loss loss) {
        return trainByHalves(x, target, loss, null, null);
    }

    /**
     * Work on a half's samples around its passes, on the thread that runs that half ({@link #trainByHalves}):
     * half 0 on the caller, half 1 on another thread or, on one thread, on the caller after half 0.
     */
    public interface HalfHook {
        /** Before half's forward pass (its inputs and targets may be filled here). */
        void before(int half, int from, int to);

        /** After its backward pass (its activations and gradients are then computed). */
        void after(int half, int from, int to);
    }

    /**
     * A step's update, chunk by chunk, as a step by halves sums the halves' gradients ({@link #trainByHalves}):
     * each chunk's update right after its sum, on the thread that summed it, while the gradient is in its cache.
     */
    public interface StepInChunks {
        /** Once, on the caller, before any chunk, when the loss is finite (else there is no step). */
        void begin();

        /** Elements [from, to) of parameter {@code param} ({@link #params()}' order), their gradient summed. */
        void update(int param, int from, int to);
    }

    /**
     * {@link #trainByHalves}, calling {@code hook} (unless null) before and after each half, and, unless
     * {@code step} is null, updating the parameters chunk by chunk as their gradients are summed when the loss is
     * finite ({@link #halvesStepped} then says so): for a step that needs nothing of the whole gradient first
     * (no clipping). The norm is still the whole gradient's ({@link #halvesGradNorm}).
     */
    public float trainByHalves(Tensor x, Tensor target, Loss loss, HalfHook hook, StepInChunks step) {
        Tensor t = x;
        for (Layer layer : layers) {
            t = layer.prepareHalves(t);
        }
        loss.prepareHalves(t, target);
        Tensor g = loss.gradient();
        for (int i = layers.size() - 1; i >= firstWithParams; i--) {
            g = layers.get(i).prepareHalvesBackward(g, i > firstWithParams);
        }
        for (Parameter p : params.values()) {
            p.beginHalves();
        }
        halvesLoss = loss;
        halvesHook = hook;
        halvesBatch = x.batch();
        float value;
        try {
            if (parallel.threads() <= 2) {
                parallel.forEachPinned(2, halves); // half h on thread h (both on the caller on one thread)
            } else {
                runHalvesByLayer();
            }
            value = loss.halvesValue(halfLoss[0], halfLoss[1]);
            halvesStepped = step != null && Float.isFinite(value);
            if (halvesStepped) {
                step.begin();
                halvesStep = step;
            }
            parallel.forShares(halfSumChunks(), 1, addHalves);
            halvesGradNorm = halvesNorm();
        } finally {
            halvesLoss = null;
            halvesHook = null;
            halvesStep = null;
        }
        return value;
    }

    /** Samples [from, to) of a step by halves' batch: half 0 is [0, n/2). */
    private static int halfStart(int half, int n) {
        return half == 0 ? 0 : half == 1 ? n / 2 : n;
    }

    /** Half h of the current step by halves. */
    private void runHalf(int h) {
        int from = halfStart(h, halvesBatch);
        int to = halfStart(h + 1, halvesBatch);
        boolean timed = layerNanos != null && h == 0;
        if (halvesHook != null) {
            halvesHook.before(h, from, to);
        }
        for (int i = 0; i < layers.size(); i++) {
            long start = timed ? System.nanoTime() : 0;
            layers.get(i).forwardRows(from, to, Parallel.SEQUENTIAL);
            if (timed) {
                layerNanos[2 * i] += System.nanoTime() - start;
            }
        }
        halfLoss[h] = halvesLoss.halfSum(from, to, h);
        for (int i = layers.size() - 1; i >= firstWithParams; i--) {
            long start = timed ? System.nanoTime() : 0;
            layers.get(i).backwardRows(from, to, h, Parallel.SEQUENTIAL);
            if (timed) {
                layerNanos[2 * i + 1] += System.nanoTime() - start;
            }
        }
        if (halvesHook != null) {
            halvesHook.after(h, from, to);
        }
    }

    /**
     * Both halves of the current step on more than two threads: layer by layer, each half's rows on all of them
     * (forwardRows, backwardRows on the pool), so that none idles. Each half's rows go through the same operations
     * as on its own thread ({@link #runHalf}), whose bits do not depend on the threads: the same bits. The hook
     * runs on the caller, for half 0 then half 1.
     */
    private void runHalvesByLayer() {
        int n = halvesBatch;
        for (int h = 0; h < 2 && halvesHook != null; h++) {
            halvesHook.before(h, halfStart(h, n), halfStart(h + 1, n));
        }
        for (int i = 0; i < layers.size(); i++) {
            long start = layerNanos != null ? System.nanoTime() : 0;
            for (int h = 0; h < 2; h++) {
                layers.get(i).forwardRows(halfStart(h, n), halfStart(h + 1, n), parallel);
            }
            if (layerNanos != null) {
                layerNanos[2 * i] += System.nanoTime() - start;
            }
        }
        for (int h = 0; h < 2; h++) {
            halfLoss[h] = halvesLoss.halfSum(halfStart(h, n), halfStart(h + 1, n), h);
        }
        for (int i = layers.size() - 1; i >= firstWithParams; i--) {
            long start = layerNanos != null ? System.nanoTime() : 0;
            for (int h = 0; h < 2; h++) {
                layers.get(i).backwardRows(halfStart(h, n), halfStart(h + 1, n), h, parallel);
            }
            if (layerNanos != null) {
                layerNanos[2 * i + 1] += System.nanoTime() - start;
            }
        }
        for (int h = 0; h < 2 && halvesHook != null; h++) {
            halvesHook.after(h, halfStart(h, n), halfStart(h + 1, n));
        }
    }

    /**
     * Chunks of {@link #HALF_SUM_GRAIN} elements over all parameters in order, cut once ({@link #addHalves}):
     * from each parameter's start, so every whole chunk is one of {@link BlockSums#sumOfSquares}' blocks.
     */
    private int halfSumChunks() {
        if (chunkParam == null) {
            java.util.List<int[]> chunks = new ArrayList<>();
            List<Parameter> all = params();
            for (int i = 0; i < all.size(); i++) {
                for (int f = 0; f < all.get(i).size(); f += HALF_SUM_GRAIN) {
                    chunks.add(new int[] {i, f, Math.min(all.get(i).size(), f + HALF_SUM_GRAIN)});
                }
            }
            chunkParam = new Parameter[chunks.size()];
            chunkParamIndex = new int[chunks.size()];
            chunkFrom = new int[chunks.size()];
            chunkTo = new int[chunks.size()];
            for (int c = 0; c < chunks.size(); c++) {
                chunkParam[c] = all.get(chunks.get(c)[0]);
                chunkParamIndex[c] = chunks.get(c)[0];
                chunkFrom[c] = chunks.get(c)[1];
                chunkTo[c] = chunks.get(c)[2];
            }
            chunkLanes = new float[chunks.size() * BlockSums.LANE_SUMS];
        }
        return chunkParam.length;
    }

    /** The global norm of the gradients of the last step by halves, from its chunks' lane sums. */
    private double halvesNorm() {
        double total = 0;
        double param = 0; // each parameter's sum on its own, then added (GradClip.globalNorm's order)
        for (int c = 0; c < chunkParam.length; c++) {
            if (chunkTo[c] - chunkFrom[c] == BlockSums.BLOCK) {
                param = BlockSums.addLaneSums(param, chunkLanes, c * BlockSums.LANE_SUMS);
            } else { // a parameter's tail, as BlockSums.sumOfSquares sums it
                // halfGrad(0), the summed gradient itself: grad() would bring its outer-product code into C2's compile
                param = BlockSums.addTailSquares(param, chunkParam[c].halfGrad(0), chunkFrom[c], chunkTo[c]);
            }
            if (c + 1 == chunkParam.length || chunkFrom[c + 1] == 0) {
                total += param;
                param = 0;
            }
        }
        return Math.sqrt(total);
    }

    /**
     * The L2 norm of all gradients that the last {@link #trainByHalves} left, computed while it added the
     * halves: the bits of {@link org.epochal.optim.GradClip#globalNorm} over the same gradients.
     */
    public double halvesGradNorm() {
        return halvesGradNorm;
    }

    /** Chunks [from, to) of the sums of the halves' gradients; a whole block's lane sums of squares too. */
    private void addHalfSums(int from, int to) {
        for (int c = from; c < to; c++) {
            Parameter p = chunkParam[c];
            if (chunkTo[c] - chunkFrom[c] == BlockSums.BLOCK) {
                BlockSums.addAndSquareBlock(p.halfGrad(0), p.halfGrad(1), chunkFrom[c], chunkLanes,
                        c * BlockSums.LANE_SUMS);
            } else {
                p.addHalves(chunkFrom[c], chunkTo[c]);
            }
            if (halvesStep != null) {
                halvesStep.update(chunkParamIndex[c], chunkFrom[c], chunkTo[c]);
            }
        }
    }

    /** Whether the last {@link #trainByHalves} updated the parameters (it was given a step, the loss finite). */
    public boolean halvesStepped() {
        return halvesStepped;
    }

    public void zeroGrad() {
        for (Parameter p : params.values()) {
            p.zeroGrad();
        }
    }

    /** The last layer's output of the last forward pass or step by halves. */
    public Tensor lastOutput() {
        return layers.get(layers.size() - 1).lastOutput();
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Trainable parameters by state-dict name, in PyTorch's order. */
    public Map<String, Parameter> namedParams() {
        return Collections.unmodifiableMap(params);
    }

    public List<Parameter> params() {
        return new ArrayList<>(params.values());
    }

    /** Non-trainable tensors saved with the weights (batchnorm running statistics). */
    public Map<String, Parameter> namedBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public int parameterCount() {
        int count = 0;
        for (Parameter p : params.values()) {
            count += p.size();
        }
        return count;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }
}
