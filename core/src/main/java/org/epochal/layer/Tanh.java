package org.epochal.layer;

/** y = tanh(x); dy/dx = 1 − y². */
public final class Tanh extends Activation {
    @Override
    public String type() {
        return "tanh";
    }

    @Override
    protected void apply(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * (1f - y[i] * y[i]);
        }
    }
}
