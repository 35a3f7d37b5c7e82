package org.epochal.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * {@code piecewise{values: {EPOCH: LR, ...}}}: sets the rate to LR from epoch EPOCH on, replacing the
 * incoming rate; before the first listed epoch the incoming rate passes through. PyTorch has no such
 * scheduler (a LambdaLR with a step function comes closest, but scales rather than sets).
 *
 * <p>Keys count from 1 in both units, like the run folder's counters: with unit epoch, key K is the K-th
 * epoch (t = K − 1); with unit batch, key K is the K-th training batch of the run (t = K − 1). So
 * {1: 0.1} sets the rate from the very start, and {@code piecewise} key K acts one step after
 * {@code multistep} milestone K, in either unit.
 */
public final class PiecewiseSchedule extends Schedule {
    private final NavigableMap<Long, Double> values;

    public PiecewiseSchedule(Map<Long, Double> values, Unit unit) {
        super(unit);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("values: expected at least one entry EPOCH: LR");
        }
        this.values = new TreeMap<>();
        for (Map.Entry<Long, Double> e : values.entrySet()) {
            if (e.getKey() < 1) {
                throw new IllegalArgumentException("values: keys are epochs (or batch steps) counting from 1, got "
                        + e.getKey());
            }
            Check.nonNegative("values." + e.getKey(), e.getValue());
            this.values.put(e.getKey(), e.getValue());
        }
    }

    @Override
    public String type() {
        return "piecewise";
    }

    @Override
    public double lr(long t, double lrIn) {
        Map.Entry<Long, Double> entry = values.floorEntry(t + 1);
        return entry == null ? lrIn : entry.getValue();
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        Map<Object, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<Long, Double> e : values.entrySet()) {
            copy.put(configInteger(e.getKey()), e.getValue());
        }
        config.put("values", copy);
    }
}
