package org.epochal.layer;

/** y = x for x > 0, slope·x otherwise (PyTorch's negative_slope, default 0.01). */
public final class LeakyReLU extends Activation {
    private final float slope;

    public LeakyReLU(double slope) {
        this.slope = (float) slope;
    }

    public LeakyReLU() {
        this(0.01);
    }

    @Override
    public String type() {
        return "leaky_relu";
    }

    public float slope() {
        return slope;
    }

    @Override
    protected void apply(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0f ? x[i] : x[i] * slope;
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0f ? dy[i] : dy[i] * slope;
        }
    }
}
