package org.epochal.layer;

import org.epochal.kernel.Parallel;
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

    /** Large elementwise work is split in fixed chunks: any split gives the same bits. */
    private static final int CHUNK = 1 << 14;

    @Override
    protected int[] outputShapeFor(int[] in) {
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        input = x;
        output = Tensor.reuse(output, x.batch(), outputShape());
        float[] xd = x.data();
        float[] yd = output.data();
        int size = x.size();
        if (size < Parallel.ELEMENTWISE_MIN) {
            apply(xd, yd, 0, size);
        } else {
            parallel.forEach(Parallel.chunks(size, CHUNK), t -> apply(xd, yd, t * CHUNK, Math.min(size, (t + 1) * CHUNK)));
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkSameShape(where(), output, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        gradInput = Tensor.reuse(gradInput, gradOutput.batch(), inputShape());
        float[] xd = input.data();
        float[] yd = output.data();
        float[] dy = gradOutput.data();
        float[] dx = gradInput.data();
        int size = gradOutput.size();
        if (size < Parallel.ELEMENTWISE_MIN) {
            derive(xd, yd, dy, dx, 0, size);
        } else {
            parallel.forEach(Parallel.chunks(size, CHUNK),
                    t -> derive(xd, yd, dy, dx, t * CHUNK, Math.min(size, (t + 1) * CHUNK)));
        }
        return gradInput;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
