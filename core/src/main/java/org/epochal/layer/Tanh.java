package org.epochal.layer;

/** y = tanh(x); dy/dx = 1 − y². */
public final class Tanh extends Activation {
    @Override
    public String type() {
        return "tanh";
    }

    @Override
    protected void apply(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * (1f - y[i] * y[i]);
        }
    }
}
