package org.epochal.layer;

import org.epochal.kernel.Elementwise;
import org.epochal.tensor.Tensor;

/**
 * y = max(0, x); dy/dx = 1 where x > 0, else 0 (PyTorch's choice at 0).
 *
 * <p>Before a max pooling ({@link #deferToPooling}) the forward pass passes its input on untouched and the
 * pooling rectifies its maxima, max(0, max(window)) = max(window of max(0, x)), the same bits: a pass
 * writing the whole output and the pooling's pass reading it back were 230–270 µs of a CNN step at batch 64
 * (5.5 MB after the first convolution), the pooled output a quarter of that. The output is computed when
 * something asks for it ({@link #lastOutput}: the probes' sampled statistics, the pre-flight check).
 */
public final class ReLU extends Activation {
    /** Whether a max pooling follows and rectifies: forward then leaves {@link #output} to be computed. */
    private boolean deferred;
    /** Whether {@link #output} is older than {@link #input} (a deferred forward since it was computed). */
    private boolean stale;

    /** From now on forward passes its input on, for the max pooling after this layer to rectify. */
    void deferToPooling() {
        deferred = true;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (!deferred) {
            return super.forward(x, training);
        }
        checkInput(x);
        input = x;
        stale = true;
        return x;
    }

    /**
     * Deferred, a step by halves passes the input on as forward does, and the pooling's backward rows go through
     * this layer too: the gradient it receives is already its input's.
     */
    @Override
    public Tensor prepareHalves(Tensor x) {
        if (!deferred) {
            return super.prepareHalves(x);
        }
        checkInput(x);
        input = x;
        output = outputBuffer(output, x.batch()); // for outputRows
        stale = true;
        return x;
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        if (!deferred) {
            return super.prepareHalvesBackward(gradOutput, needInputGrad);
        }
        checkGradientShape(input, gradOutput);
        return needInputGrad ? gradOutput : null;
    }

    @Override
    public void forwardRows(int from, int to, org.epochal.kernel.Parallel team) {
        if (!deferred) {
            super.forwardRows(from, to, team);
        }
    }

    @Override
    public void backwardRows(int from, int to, int half, org.epochal.kernel.Parallel team) {
        if (!deferred) {
            super.backwardRows(from, to, half, team);
        }
    }

    @Override
    public Tensor lastOutput() {
        if (stale) {
            stale = false;
            super.forward(input, false);
        }
        return output;
    }

    /** Deferred, computes samples [from, to) of the output (on a half's thread: only those rows are touched). */
    @Override
    public Tensor outputRows(int from, int to) {
        if (!stale) {
            return output;
        }
        int sample = input.sampleSize();
        apply(input.data(), output.data(), from * sample, to * sample);
        return output;
    }

    /** A tensor positive exactly where the last output is: the input, which a deferred forward leaves as is. */
    public Tensor firingSource() {
        return input;
    }

    @Override
    public String type() {
        return "relu";
    }

    @Override
    protected void apply(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(x[i], 0f); // NaN stays NaN, −0 becomes 0, as torch.relu; vectorised by the JIT
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        Elementwise.positiveMask(x, dy, dx, from, to);
    }
}
