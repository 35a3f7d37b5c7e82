package org.epochal.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The experiment's schedules, applied in order: lr = base; for each schedule s: lr = s.lr(t_s, lr), where
 * t_s = epoch − 1 for unit epoch and the batch step for unit batch.
 *
 * <p>Call order (the trainer's): {@link #lr} before every training batch, setting the optimizer's rate to
 * the result; {@link #endEpoch} once per epoch after validation; {@link #state()} for a checkpoint after
 * that; {@link #restore} on resume, before the next {@link #lr}.
 *
 * <p>For multiplicative schedules (step, multistep, exponential, warmup) the result is the product of
 * their factors times the base rate, which is what PyTorch's ChainedScheduler gives for them. cosine in a
 * chain is applied to the incoming rate in its closed form, η_min + (lrIn − η_min)(1 + cos(π·t/T_max))/2,
 * not in PyTorch's recursive chainable form, so a chain with cosine and eta_min ≠ 0 differs from
 * ChainedScheduler. piecewise replaces the incoming rate; reduce_on_plateau scales it.
 *
 * <p>The list is immutable; stateful schedules in it (reduce_on_plateau) are not.
 */
public final class ScheduleList {
    private static final ScheduleList NONE = new ScheduleList(List.of());

    private final List<Schedule> schedules;

    private ScheduleList(List<Schedule> schedules) {
        this.schedules = schedules;
    }

    public static ScheduleList of(List<Schedule> schedules) {
        return new ScheduleList(List.copyOf(schedules));
    }

    public static ScheduleList of(Schedule... schedules) {
        return of(List.of(schedules));
    }

    /** No schedule: the rate stays the base rate. */
    public static ScheduleList none() {
        return NONE;
    }

    public List<Schedule> schedules() {
        return schedules;
    }

    public boolean isEmpty() {
        return schedules.isEmpty();
    }

    /**
     * The rate for the batch about to be trained: {@code epoch} counts from 1, {@code batchStep} is the
     * number of training batches before this one in the run (0 for the first).
     */
    public double lr(double baseLr, int epoch, long batchStep) {
        if (epoch < 1 || batchStep < 0) {
            throw new IllegalArgumentException("epoch counts from 1 and batchStep from 0, got epoch " + epoch
                    + ", batchStep " + batchStep);
        }
        double lr = baseLr;
        for (Schedule s : schedules) {
            long t = s.unit() == Schedule.Unit.EPOCH ? epoch - 1 : batchStep;
            lr = s.lr(t, lr);
        }
        return lr;
    }

    /** After an epoch's validation: hands its metrics ("train_loss", "val_loss", ...) to every schedule. */
    public void endEpoch(Map<String, Double> metrics) {
        for (Schedule s : schedules) {
            s.observe(metrics);
        }
    }

    /** One state map per schedule, in order (empty for stateless ones). */
    public List<Map<String, Object>> state() {
        List<Map<String, Object>> state = new ArrayList<>();
        for (Schedule s : schedules) {
            state.add(s.state());
        }
        return state;
    }

    /** Continues from a {@link #state()} of a list built from the same configuration. */
    public void restore(List<Map<String, Object>> state) {
        if (state.size() != schedules.size()) {
            throw new IllegalArgumentException("schedule state has " + state.size()
                    + " entries, but the experiment has " + schedules.size() + " schedules");
        }
        for (int i = 0; i < schedules.size(); i++) {
            schedules.get(i).restore(state.get(i));
        }
    }

    /** The resolved configuration, one experiment-file map per schedule. */
    public List<Map<String, Object>> toConfig() {
        List<Map<String, Object>> config = new ArrayList<>();
        for (Schedule s : schedules) {
            config.add(s.toConfig());
        }
        return config;
    }

    @Override
    public String toString() {
        return toConfig().toString();
    }
}
