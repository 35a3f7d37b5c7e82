package org.epochal.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a schedule from its experiment-file entry, with PyTorch's defaults. Every problem is an
 * IllegalArgumentException whose message starts with the option's name ("gamma: expected a number > 0,
 * got 0.0"), for the config parser to prefix with the key path. To add a kind: write its class and add
 * a case here.
 */
public final class Schedules {
    /** The experiment-file names of the schedule kinds. */
    public static final List<String> TYPES =
            List.of("step", "multistep", "exponential", "cosine", "warmup", "reduce_on_plateau", "piecewise");

    private Schedules() {
    }

    /** The schedule list that entries such as {@link ScheduleList#toConfig()} gives describe, in order. */
    public static ScheduleList list(List<Map<String, Object>> entries) {
        List<Schedule> schedules = new ArrayList<>();
        for (Map<String, Object> entry : entries) {
            schedules.add(create(entry));
        }
        return ScheduleList.of(schedules);
    }

    /** The schedule an entry such as {type: step, step_size: 10} describes. */
    public static Schedule create(Map<String, Object> entry) {
        Object type = entry.get("type");
        if (!(type instanceof String name)) {
            throw new IllegalArgumentException("type: is required, one of " + String.join(", ", TYPES));
        }
        return create(name, entry);
    }

    /** The schedule of kind {@code type} with {@code options} (a "type" key among them must equal type). */
    public static Schedule create(String type, Map<String, Object> options) {
        OptionReader o = new OptionReader(type, options);
        return switch (type) {
            case "step" -> {
                long stepSize = o.integer("step_size");
                double gamma = o.number("gamma", 0.1);
                Schedule.Unit unit = finish(o);
                yield new StepSchedule(stepSize, gamma, unit);
            }
            case "multistep" -> {
                List<Long> milestones = o.integers("milestones");
                double gamma = o.number("gamma", 0.1);
                Schedule.Unit unit = finish(o);
                yield new MultiStepSchedule(milestones, gamma, unit);
            }
            case "exponential" -> {
                double gamma = o.number("gamma");
                Schedule.Unit unit = finish(o);
                yield new ExponentialSchedule(gamma, unit);
            }
            case "cosine" -> {
                long tMax = o.integer("t_max");
                double etaMin = o.number("eta_min", 0);
                Schedule.Unit unit = finish(o);
                yield new CosineSchedule(tMax, etaMin, unit);
            }
            case "warmup" -> {
                long epochs = o.integer("epochs", 5);
                double startFactor = o.number("start_factor", 1.0 / 3);
                Schedule.Unit unit = finish(o);
                yield new WarmupSchedule(epochs, startFactor, unit);
            }
            case "reduce_on_plateau" -> plateau(o);
            case "piecewise" -> {
                Map<Long, Double> values = o.numbersByInteger("values");
                Schedule.Unit unit = finish(o);
                yield new PiecewiseSchedule(values, unit);
            }
            default -> throw new IllegalArgumentException("type: unknown schedule '" + type + "' (expected one of "
                    + String.join(", ", TYPES) + ")");
        };
    }

    private static Schedule plateau(OptionReader o) {
        PlateauSchedule.Settings d = PlateauSchedule.Settings.DEFAULTS;
        String monitor = o.string("monitor", d.monitor());
        String mode = o.string("mode", d.mode());
        double factor = o.number("factor", d.factor());
        int patience = o.smallInteger("patience", d.patience());
        double threshold = o.number("threshold", d.threshold());
        String thresholdMode = o.string("threshold_mode", d.thresholdMode());
        int cooldown = o.smallInteger("cooldown", d.cooldown());
        double minLr = o.number("min_lr", d.minLr());
        double eps = o.number("eps", d.eps());
        Schedule.Unit unit = finish(o);
        return new PlateauSchedule(new PlateauSchedule.Settings(monitor, mode, factor, patience, threshold,
                thresholdMode, cooldown, minLr, eps), unit);
    }

    /** Reads unit (read last, so the accepted keys list it last) and refuses unknown options. */
    private static Schedule.Unit finish(OptionReader o) {
        Schedule.Unit unit = o.unit();
        o.finish();
        return unit;
    }
}
