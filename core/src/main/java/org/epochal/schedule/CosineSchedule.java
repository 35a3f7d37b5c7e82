package org.epochal.schedule;

import java.util.Map;

/**
 * {@code cosine{t_max, eta_min=0}}: cosine annealing from the incoming rate down to eta_min over t_max
 * steps. Matches PyTorch's CosineAnnealingLR in its closed form:
 * lr = η_min + (lrIn − η_min)·(1 + cos(π·t / T_max)) / 2.
 * Past t_max the rate rises again (period 2·T_max), exactly as PyTorch's does: there are no restarts and
 * no clamping. NOTE: this is the closed form applied to lrIn. PyTorch steps a recursive form
 * (lr_t from lr_{t−1}); alone the two agree to rounding, but in a chain with other schedules they differ
 * when eta_min ≠ 0 (PyTorch's ChainedScheduler then gives a product that is not the closed form).
 */
public final class CosineSchedule extends Schedule {
    private final long tMax;
    private final double etaMin;

    public CosineSchedule(long tMax, double etaMin, Unit unit) {
        super(unit);
        Check.atLeast("t_max", tMax, 1);
        Check.nonNegative("eta_min", etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    public String type() {
        return "cosine";
    }

    @Override
    public double lr(long t, double lrIn) {
        // Operation order as PyTorch's _get_closed_form_lr: (π·t)/T_max, then ·(lrIn − η_min), then /2.
        return etaMin + (lrIn - etaMin) * (1 + StrictMath.cos(Math.PI * t / tMax)) / 2;
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        config.put("t_max", configInteger(tMax));
        config.put("eta_min", etaMin);
    }
}
