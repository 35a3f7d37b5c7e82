package org.epochal.schedule;

import java.util.Map;

/**
 * {@code exponential{gamma}}: decays the rate by gamma every step. Matches PyTorch's ExponentialLR,
 * closed form: lr = lrIn · γ^t (PyTorch's chainable form multiplies by γ each step; same to rounding).
 */
public final class ExponentialSchedule extends Schedule {
    private final double gamma;

    public ExponentialSchedule(double gamma, Unit unit) {
        super(unit);
        Check.positive("gamma", gamma);
        this.gamma = gamma;
    }

    @Override
    public String type() {
        return "exponential";
    }

    @Override
    public double lr(long t, double lrIn) {
        return lrIn * StrictMath.pow(gamma, t);
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        config.put("gamma", gamma);
    }
}
