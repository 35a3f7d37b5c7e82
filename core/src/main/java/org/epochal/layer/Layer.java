package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.Parallel;
import org.epochal.rng.Rng;
import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * One layer of a sequential model. Call order: {@link #build} once (fixes the per-sample input shape and
 * creates parameters), {@link #initialize} to draw weights, then per batch {@link #forward} and, in
 * training, {@link #backward} with the gradient of the loss w.r.t. the output just produced.
 *
 * <p>Backward reads only what forward kept in fields; it accumulates parameter gradients (the caller
 * zeroes them) and never updates weights. Output and gradient buffers belong to the layer and are reused
 * from batch to batch: a returned tensor stays valid until the layer's next forward or backward call.
 */
public abstract class Layer {
    private int index = -1;
    private int[] inputShape;
    private int[] outputShape;
    protected Parallel parallel = Parallel.SEQUENTIAL;
    protected Init weightInit = Init.DEFAULT;
    protected Init biasInit = Init.DEFAULT;

    /** The experiment-file name of this layer kind: "linear", "conv2d", ... */
    public abstract String type();

    /** Checks the per-sample input shape, creates parameters, returns the per-sample output shape. */
    protected abstract int[] outputShapeFor(int[] inputShape);

    /** Computes the output for a batch; {@code training} selects batch statistics and dropout. */
    public abstract Tensor forward(Tensor input, boolean training);

    /**
     * Given dLoss/dOutput for the last forward, accumulates parameter gradients and returns dLoss/dInput
     * (or null when {@code needInputGrad} is false, as for the first layer).
     */
    public abstract Tensor backward(Tensor gradOutput, boolean needInputGrad);

    public List<Parameter> params() {
        return List.of();
    }

    /**
     * Whether a training step may run this layer by halves of the batch (Sequential#trainByHalves): it treats
     * every sample apart, draws nothing at random, and its parameter gradients are sums over the samples. Such a
     * layer implements {@link #prepareHalves}, {@link #prepareHalvesBackward}, {@link #forwardRows} and
     * {@link #backwardRows}. False unless a layer says otherwise.
     */
    public boolean runsByHalves() {
        return false;
    }

    /**
     * Before a step by halves, on the caller: keeps the input and sizes the output buffer for its batch (as
     * {@link #forward} would), computing nothing; returns the output tensor {@link #forwardRows} fills.
     */
    public Tensor prepareHalves(Tensor input) {
        throw new UnsupportedOperationException(where() + " does not run by halves");
    }

    /**
     * Before a step by halves, on the caller: keeps dLoss/dOutput's tensor (filled later, row by row) and sizes
     * the input-gradient buffer; returns it, or null when {@code needInputGrad} is false.
     */
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        throw new UnsupportedOperationException(where() + " does not run by halves");
    }

    /**
     * The forward pass of samples [from, to) of the prepared batch, its work on {@code team}: Parallel.SEQUENTIAL
     * (the calling thread alone) or all of a pool's threads. The same bits either way.
     */
    public void forwardRows(int from, int to, Parallel team) {
        throw new UnsupportedOperationException(where() + " does not run by halves");
    }

    /**
     * The backward pass of samples [from, to), its work on {@code team}: the parameter gradients of these samples
     * stored into half {@code half}'s buffers ({@link Parameter#halfGrad}), and, when prepared so, those rows of
     * the input gradient. The same bits on any team.
     */
    public void backwardRows(int from, int to, int half, Parallel team) {
        throw new UnsupportedOperationException(where() + " does not run by halves");
    }

    /** The output of the last forward call (for probes that measure activations), or null. */
    public Tensor lastOutput() {
        return null;
    }

    /**
     * The output of the last forward pass with samples [from, to) of it valid: for probes that read a step by
     * halves' activations on the half's thread, which must compute nothing outside its rows. The whole
     * {@link #lastOutput} unless a layer computes its output lazily.
     */
    public Tensor outputRows(int from, int to) {
        return lastOutput();
    }

    /** Non-trainable state saved with the weights (batchnorm's running statistics); none by default. */
    public List<Parameter> buffers() {
        return List.of();
    }

    /** Draws this layer's parameters: PyTorch's default initialisation unless {@link #setInit} chose one. */
    public void initialize(Rng rng) {
    }

    public final int[] build(int index, int[] inputShape) {
        this.index = index;
        try {
            this.outputShape = outputShapeFor(inputShape.clone()).clone();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where() + ": " + e.getMessage(), e);
        }
        this.inputShape = inputShape.clone();
        return outputShape.clone();
    }

    /** Chooses the initialisation of the weight and bias (or of whatever parameters the layer has). */
    public Layer setInit(Init weight, Init bias) {
        this.weightInit = weight;
        this.biasInit = bias;
        return this;
    }

    public void setParallel(Parallel parallel) {
        this.parallel = parallel;
    }

    public int index() {
        return index;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }

    /** "layer 3 (linear)" for messages. */
    public String where() {
        return "layer " + index + " (" + type() + ")";
    }

    /** Refuses an input whose per-sample shape differs from the built one, naming layer and both shapes. */
    protected void checkInput(Tensor input) {
        boolean ok = input.rank() == inputShape.length + 1;
        for (int i = 0; ok && i < inputShape.length; i++) {
            ok = input.dim(i + 1) == inputShape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(where() + ": expected input [batch, "
                    + Shapes.toString(inputShape).substring(1) + ", got " + Shapes.toString(input.shape()));
        }
    }

    /** This layer's output buffer for a batch (Tensor.reuse with the built shape, which is not copied). */
    protected Tensor outputBuffer(Tensor old, int batch) {
        return Tensor.reuse(old, batch, outputShape);
    }

    /** This layer's input-gradient buffer for a batch. */
    protected Tensor inputBuffer(Tensor old, int batch) {
        return Tensor.reuse(old, batch, inputShape);
    }

    /**
     * For {@link #prepareHalvesBackward}: checks dLoss/dOutput against the output and returns the input
     * gradient's buffer for its batch ({@code buffer} reused when it fits), or null when none is needed.
     */
    protected Tensor halvesInputGradient(Tensor output, Tensor gradOutput, boolean needInputGrad, Tensor buffer) {
        checkGradientShape(output, gradOutput);
        return needInputGrad ? inputBuffer(buffer, gradOutput.batch()) : null;
    }

    /** Refuses a gradient that does not match the last output. */
    protected void checkGradientShape(Tensor expected, Tensor actual) {
        if (expected == null) {
            throw new IllegalStateException("backward called before forward");
        }
        if (!expected.sameShape(actual)) {
            // where() and shape() allocate: only here, not on every backward (they were a batch's garbage)
            throw new IllegalArgumentException(where() + ": gradient shape " + Shapes.toString(actual.shape())
                    + " does not match output shape " + Shapes.toString(expected.shape()));
        }
    }

    /** Shape of per-sample input as "[c, h, w]" without the batch. */
    protected static int product(int[] shape) {
        return Shapes.size(shape);
    }
}
