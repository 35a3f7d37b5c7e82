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

    /** y[i] = f(x[i]) for i in [0, size). */
    protected abstract void apply(float[] x, float[] y, int size);

    /** dx[i] = dy[i] · f'(x[i]), given x and y = f(x). */
    protected abstract void derive(float[] x, float[] y, float[] dy, float[] dx, int size);

    @Override
    protected int[] outputShapeFor(int[] in) {
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        input = x;
        output = Tensor.reuse(output, x.batch(), outputShape());
        apply(x.data(), output.data(), x.size());
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkSameShape(where(), output, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        gradInput = Tensor.reuse(gradInput, gradOutput.batch(), inputShape());
        derive(input.data(), output.data(), gradOutput.data(), gradInput.data(), gradOutput.size());
        return gradInput;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
