package org.epochal.layer;

/** y = max(0, x); dy/dx = 1 where x > 0, else 0 (PyTorch's choice at 0). */
public final class ReLU extends Activation {
    @Override
    public String type() {
        return "relu";
    }

    @Override
    protected void apply(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = Math.max(x[i], 0f); // NaN stays NaN, −0 becomes 0, as torch.relu; vectorised by the JIT
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }
}
