package org.epochal.schedule;

import java.util.Map;

/**
 * {@code step{step_size, gamma=0.1}}: decays the rate by gamma every step_size steps. Matches PyTorch's
 * StepLR, closed form: lr = lrIn · γ^⌊t / step_size⌋ (PyTorch's chainable form multiplies by γ at each
 * multiple of step_size; the two agree to rounding).
 */
public final class StepSchedule extends Schedule {
    private final long stepSize;
    private final double gamma;

    public StepSchedule(long stepSize, double gamma, Unit unit) {
        super(unit);
        Check.atLeast("step_size", stepSize, 1);
        Check.positive("gamma", gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    public String type() {
        return "step";
    }

    @Override
    public double lr(long t, double lrIn) {
        // NOTE: StrictMath, not Math: Math.pow may differ by an ulp between JVMs, and runs must repeat exactly.
        return lrIn * StrictMath.pow(gamma, t / stepSize);
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        config.put("step_size", configInteger(stepSize));
        config.put("gamma", gamma);
    }
}
