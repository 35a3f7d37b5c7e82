package org.epochal.layer;

import org.epochal.kernel.Elementwise;

/** y = max(0, x); dy/dx = 1 where x > 0, else 0 (PyTorch's choice at 0). */
public final class ReLU extends Activation {
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
