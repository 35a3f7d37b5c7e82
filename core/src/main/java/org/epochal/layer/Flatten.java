package org.epochal.layer;

import org.epochal.tensor.Tensor;

/** [batch, d1, d2, ...] → [batch, d1·d2·...]: a view of the same array, no copy. */
public final class Flatten extends Layer {
    private Tensor output;
    private Tensor gradInput;

    @Override
    public String type() {
        return "flatten";
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        return new int[] {product(in)};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        output = view(output, x, true);
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        gradInput = view(gradInput, gradOutput, false);
        return gradInput;
    }

    /** A view: by halves, with nothing to compute per row. */
    @Override
    public boolean runsByHalves() {
        return true;
    }

    @Override
    public Tensor prepareHalves(Tensor x) {
        return forward(x, true);
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        return backward(gradOutput, needInputGrad);
    }

    @Override
    public void forwardRows(int from, int to, org.epochal.kernel.Parallel team) {
    }

    @Override
    public void backwardRows(int from, int to, int half, org.epochal.kernel.Parallel team) {
    }

    /**
     * {@code cached} when it already views {@code source}'s array with this batch, else a new view with the
     * output shape (forward) or the input shape.
     */
    private Tensor view(Tensor cached, Tensor source, boolean forward) {
        if (cached != null && cached.data() == source.data() && cached.batch() == source.batch()) {
            return cached;
        }
        int[] sampleShape = forward ? outputShape() : inputShape();
        return source.reshape(org.epochal.tensor.Shapes.withBatch(source.batch(), sampleShape));
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
