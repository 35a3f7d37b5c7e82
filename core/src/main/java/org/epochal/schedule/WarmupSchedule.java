package org.epochal.schedule;

import java.util.Map;

/**
 * {@code warmup{epochs=5, start_factor=1/3}}: scales the rate linearly from start_factor up to 1 over
 * {@code epochs} steps (batches when unit is batch). Matches PyTorch's LinearLR with end_factor = 1 and
 * total_iters = epochs, closed form: lr = lrIn · (s + (1 − s)·min(t, total) / total).
 * start_factor 0 is allowed (the first step then trains with rate 0); PyTorch 1.13 accepts it too but its
 * chainable form then divides by zero at the first step().
 */
public final class WarmupSchedule extends Schedule {
    private final long epochs;
    private final double startFactor;

    public WarmupSchedule(long epochs, double startFactor, Unit unit) {
        super(unit);
        Check.atLeast("epochs", epochs, 1);
        Check.inRange("start_factor", startFactor, 0, 1, false);
        this.epochs = epochs;
        this.startFactor = startFactor;
    }

    @Override
    public String type() {
        return "warmup";
    }

    @Override
    public double lr(long t, double lrIn) {
        // Operation order as PyTorch's _get_closed_form_lr, so the factor equals its closed form to the bit.
        return lrIn * (startFactor + (1.0 - startFactor) * Math.min(epochs, t) / epochs);
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        config.put("epochs", configInteger(epochs));
        config.put("start_factor", startFactor);
    }
}
