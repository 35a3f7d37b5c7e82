package org.epochal.layer;

import org.epochal.kernel.Elementwise;

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
        Elementwise.positiveOrScaled(x, x, slope, y, from, to);
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        Elementwise.positiveOrScaled(x, dy, slope, dx, from, to);
    }
}
