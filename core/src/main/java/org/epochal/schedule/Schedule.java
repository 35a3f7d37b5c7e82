package org.epochal.schedule;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One learning-rate schedule: a function of the step count and of the rate the schedules before it
 * produced. Call order (the trainer does it through {@link ScheduleList}): {@link #lr} before every
 * training batch, {@link #observe} once after each epoch's validation; {@link #state()} after observe
 * for a checkpoint, {@link #restore} on resume before the next {@link #lr}. Each subclass cites the
 * PyTorch 1.13 scheduler and the closed form it matches.
 */
public abstract class Schedule {
    /** What the step count t of {@link #lr} counts. */
    public enum Unit {
        /** t = epoch − 1: PyTorch's scheduler.step() once after each epoch. */
        EPOCH,
        /** t = training batches before this one in the run: scheduler.step() after each batch. */
        BATCH;

        /** The experiment-file spelling: "epoch" or "batch". */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Unit unit;

    protected Schedule(Unit unit) {
        if (unit == null) {
            throw new IllegalArgumentException("unit: expected epoch or batch");
        }
        this.unit = unit;
    }

    /** The experiment-file name: "step", "multistep", "exponential", "cosine", "warmup", ... */
    public abstract String type();

    public final Unit unit() {
        return unit;
    }

    /**
     * The learning rate for step {@code t} (≥ 0, counted in {@link #unit()}), given {@code lrIn}, the rate
     * the schedules before this one produced for the same step (the base rate for the first).
     */
    public abstract double lr(long t, double lrIn);

    /** Sees the metrics of a finished epoch ("train_loss", "val_loss", ...); stateless schedules ignore them. */
    public void observe(Map<String, Double> metrics) {
    }

    /** What a checkpoint must hold to continue bit-identically: numbers, strings and booleans only. */
    public Map<String, Object> state() {
        return Map.of();
    }

    /** Continues from a {@link #state()} (as read back from a checkpoint's JSON). */
    public void restore(Map<String, Object> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException("schedule " + type() + " keeps no state, got keys " + state.keySet());
        }
    }

    /** The resolved configuration in experiment-file form, every default filled: {type: step, ..., unit: epoch}. */
    public final Map<String, Object> toConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", type());
        addOptions(config);
        config.put("unit", unit.configName());
        return config;
    }

    /** Adds this schedule's options (not type and unit) to {@code config}, in the documented order. */
    protected abstract void addOptions(Map<String, Object> config);

    /** An integer option as config files show it: Integer when it fits (as a YAML reader gives it), else Long. */
    static Object configInteger(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Object) (int) value : value;
    }

    @Override
    public String toString() {
        return toConfig().toString();
    }
}
