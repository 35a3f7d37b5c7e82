package org.epochal.layer;

import org.epochal.tensor.Tensor;

/**
 * An elementwise function y = f(x): subclasses give f and dy/dx over whole arrays. Forward keeps the input
 * and output tensors; backward computes dx = dy · f'(x) from them.
 */
public abstract class Activation extends Layer {
    protected Tensor input;
    protected Tensor output;
    private Tensor gradInput;
    /** A step by halves' dLoss/dOutput, null when it needs no input gradient ({@link #prepareHalvesBackward}). */
    private Tensor halvesGradOutput;

    /** y[i] = f(x[i]) for i in [from, to). */
    protected abstract void apply(float[] x, float[] y, int from, int to);

    /** dx[i] = dy[i] · f'(x[i]) for i in [from, to), given x and y = f(x). */
    protected abstract void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to);

    /**
     * Elements from which the work is split by samples, one slice per thread (any split gives the same
     * bits): a convolution's output (0.5 to 1.4 million floats, written by the same threads on the same
     * samples).
     */
    private static final int SLICED_MIN = 1 << 18;
    /**
     * Below {@link #SLICED_MIN}, elements from which a batch with more samples than features is split too:
     * the product before it split its rows, the samples, the same way (GemmPlan splits the longer side of
     * C), so each thread finds its slice in its own cache. On the calling thread, the 512×256 hidden layer's
     * ReLU read the other thread's half from the other die: 68–75 µs forward on two threads against 14 on
     * one. MLP at batch 512 on two threads, in one process switching every two batches: the median step 1.0–2.2%
     * lower split, in four runs (the same setting against itself: within 0.7%). A batch of 64 stays whole: its
     * products split the features.
     */
    private static final int ROWS_SLICED_MIN = 1 << 14;

    /** Whether the work on {@code x} is split by samples. */
    private static boolean sliced(Tensor x) {
        int size = x.size();
        return size >= SLICED_MIN || size >= ROWS_SLICED_MIN && x.batch() > x.sampleSize();
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        input = x;
        output = outputBuffer(output, x.batch());
        float[] xd = x.data();
        float[] yd = output.data();
        int size = x.size();
        int sample = x.sampleSize();
        if (!sliced(x)) {
            apply(xd, yd, 0, size);
        } else {
            parallel.forSlices(x.batch(), (s0, s1) -> apply(xd, yd, s0 * sample, s1 * sample));
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        Tensor y = lastOutput(); // a deferred ReLU's output is computed here, if ever
        checkGradientShape(y, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        gradInput = inputBuffer(gradInput, gradOutput.batch());
        float[] xd = input.data();
        float[] yd = y.data();
        float[] dy = gradOutput.data();
        float[] dx = gradInput.data();
        int size = gradOutput.size();
        int sample = gradOutput.sampleSize();
        if (!sliced(gradOutput)) {
            derive(xd, yd, dy, dx, 0, size);
        } else {
            parallel.forSlices(gradOutput.batch(), (s0, s1) -> derive(xd, yd, dy, dx, s0 * sample, s1 * sample));
        }
        return gradInput;
    }

    /** Elementwise, so by halves (a ReLU whose pooling rectifies for it: ReLU#prepareHalves). */
    @Override
    public boolean runsByHalves() {
        return true;
    }

    @Override
    public Tensor prepareHalves(Tensor x) {
        checkInput(x);
        input = x;
        output = outputBuffer(output, x.batch());
        return output;
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        halvesGradOutput = needInputGrad ? gradOutput : null;
        Tensor dx = halvesInputGradient(output, gradOutput, needInputGrad, gradInput);
        gradInput = dx != null ? dx : gradInput;
        return dx;
    }

    @Override
    public void forwardRows(int from, int to, org.epochal.kernel.Parallel team) {
        team.forSlices(from, to, applyRows);
    }

    @Override
    public void backwardRows(int from, int to, int half, org.epochal.kernel.Parallel team) {
        if (halvesGradOutput != null) {
            team.forSlices(from, to, deriveRows);
        }
    }

    /** f over samples [from, to) of a step by halves. */
    private final org.epochal.kernel.Parallel.RangeTask applyRows = (from, to) -> {
        int sample = input.sampleSize();
        apply(input.data(), output.data(), from * sample, to * sample);
    };

    /** dx of samples [from, to) of a step by halves. */
    private final org.epochal.kernel.Parallel.RangeTask deriveRows = (from, to) -> {
        int sample = input.sampleSize();
        derive(input.data(), output.data(), halvesGradOutput.data(), gradInput.data(), from * sample, to * sample);
    };

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
