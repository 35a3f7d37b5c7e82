package org.epochal.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code multistep{milestones, gamma=0.1}}: decays the rate by gamma at each milestone. Matches PyTorch's
 * MultiStepLR, closed form: lr = lrIn · γ^(number of milestones ≤ t). As in PyTorch (which keeps the
 * milestones in a Counter) their order does not matter and a repeated milestone decays twice. With
 * unit epoch, milestone m first affects epoch m + 1 (t = epoch − 1), as PyTorch's milestones=[m] does.
 */
public final class MultiStepSchedule extends Schedule {
    private final long[] milestones; // sorted ascending
    private final double gamma;

    public MultiStepSchedule(List<Long> milestones, double gamma, Unit unit) {
        super(unit);
        if (milestones.isEmpty()) {
            throw new IllegalArgumentException("milestones: expected a non-empty list of integers >= 0");
        }
        this.milestones = new long[milestones.size()];
        for (int i = 0; i < this.milestones.length; i++) {
            Check.atLeast("milestones." + i, milestones.get(i), 0);
            this.milestones[i] = milestones.get(i);
        }
        Arrays.sort(this.milestones);
        Check.positive("gamma", gamma);
        this.gamma = gamma;
    }

    @Override
    public String type() {
        return "multistep";
    }

    @Override
    public double lr(long t, double lrIn) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= t) {
            passed++;
        }
        return lrIn * StrictMath.pow(gamma, passed);
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        List<Object> list = new ArrayList<>();
        for (long m : milestones) {
            list.add(configInteger(m));
        }
        config.put("milestones", list);
        config.put("gamma", gamma);
    }
}
