package org.epochal.layer;

/** y = 1 / (1 + e^−x); dy/dx = y·(1 − y). */
public final class Sigmoid extends Activation {
    @Override
    public String type() {
        return "sigmoid";
    }

    @Override
    protected void apply(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }
}
