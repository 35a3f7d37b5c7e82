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

    /** y[i] = f(x[i]) for i in [from, to). */
    protected abstract void apply(float[] x, float[] y, int from, int to);

    /** dx[i] = dy[i] · f'(x[i]) for i in [from, to), given x and y = f(x). */
    protected abstract void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to);

    /**
     * Elements from which the work is split by samples, one slice per thread (any split gives the same
     * bits). Below it (an MLP's 512×256 hidden layer) it stays on the calling thread: 17 µs there against 47
     * split, the data having to cross between the cores' dies; a convolution's output (0.5 to 1.4 million
     * floats, written by the same threads on the same samples) is split.
     */
    private static final int SLICED_MIN = 1 << 18;

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
        if (size < SLICED_MIN) {
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
        if (size < SLICED_MIN) {
            derive(xd, yd, dy, dx, 0, size);
        } else {
            parallel.forSlices(gradOutput.batch(), (s0, s1) -> derive(xd, yd, dy, dx, s0 * sample, s1 * sample));
        }
        return gradInput;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
