package org.epochal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way an entry can be wrong gives an IllegalArgumentException whose message starts with the option. */
class SchedulesValidationTest {
    static Stream<Arguments> badEntries() {
        Map<Object, Object> twice = new LinkedHashMap<>();
        twice.put("3", 0.1);
        twice.put(3, 0.2);
        return Stream.of(
                bad("linear", Map.of(), "type: unknown schedule 'linear' (expected one of step, multistep, "
                        + "exponential, cosine, warmup, reduce_on_plateau, piecewise)"),
                bad("step", Map.of("type", "cosine"), "type: the options are for 'cosine', not 'step'"),
                bad("step", Map.of("step_size", 3, "gama", 0.5),
                        "gama: unknown option for schedule step (accepted: type, step_size, gamma, unit)"),
                bad("step", Map.of(), "step_size: is required for schedule step"),
                bad("step", Map.of("step_size", "ten"), "step_size: expected an integer, got 'ten' (a string)"),
                bad("step", Map.of("step_size", 2.5), "step_size: expected an integer, got 2.5"),
                bad("step", Map.of("step_size", 0), "step_size: expected an integer >= 1, got 0"),
                bad("step", Map.of("step_size", 3, "gamma", true), "gamma: expected a number, got true (a boolean)"),
                bad("step", Map.of("step_size", 3, "gamma", List.of(0.1)), "gamma: expected a number, got a list"),
                bad("step", Map.of("step_size", 3, "gamma", 0), "gamma: expected a number > 0, got 0.0"),
                bad("step", Map.of("step_size", 3, "unit", "epochs"),
                        "unit: expected one of epoch, batch, got 'epochs'"),
                bad("step", Map.of("step_size", 3, "unit", 1), "unit: expected a string, got 1"),
                bad("multistep", Map.of("milestones", 5), "milestones: expected a list of integers, got 5"),
                bad("multistep", Map.of("milestones", List.of()),
                        "milestones: expected a non-empty list of integers >= 0"),
                bad("multistep", Map.of("milestones", List.of(3, -1)),
                        "milestones.1: expected an integer >= 0, got -1"),
                bad("multistep", Map.of("milestones", List.of("a")),
                        "milestones.0: expected an integer, got 'a' (a string)"),
                bad("multistep", Map.of("milestones", List.of(3), "gamma", -0.5),
                        "gamma: expected a number > 0, got -0.5"),
                bad("exponential", Map.of(), "gamma: is required for schedule exponential"),
                bad("exponential", Map.of("gamma", 0.0), "gamma: expected a number > 0, got 0.0"),
                bad("cosine", Map.of("t_max", 0), "t_max: expected an integer >= 1, got 0"),
                bad("cosine", Map.of("t_max", 10, "eta_min", -0.1), "eta_min: expected a finite number >= 0, got -0.1"),
                bad("warmup", Map.of("epochs", 0), "epochs: expected an integer >= 1, got 0"),
                bad("warmup", Map.of("start_factor", 1.5), "start_factor: expected a number in [0.0, 1.0], got 1.5"),
                bad("reduce_on_plateau", Map.of("factor", 1), "factor: expected a number in [0.0, 1.0), got 1.0"),
                bad("reduce_on_plateau", Map.of("factor", -0.1), "factor: expected a number in [0.0, 1.0), got -0.1"),
                bad("reduce_on_plateau", Map.of("mode", "maximum"), "mode: expected one of min, max, got 'maximum'"),
                bad("reduce_on_plateau", Map.of("threshold_mode", "relative"),
                        "threshold_mode: expected one of rel, abs, got 'relative'"),
                bad("reduce_on_plateau", Map.of("patience", -1), "patience: expected an integer >= 0, got -1"),
                bad("reduce_on_plateau", Map.of("cooldown", -2), "cooldown: expected an integer >= 0, got -2"),
                bad("reduce_on_plateau", Map.of("threshold", -1e-4),
                        "threshold: expected a finite number >= 0, got -1.0E-4"),
                bad("reduce_on_plateau", Map.of("min_lr", -1), "min_lr: expected a finite number >= 0, got -1.0"),
                bad("reduce_on_plateau", Map.of("eps", "tiny"), "eps: expected a number, got 'tiny' (a string)"),
                bad("reduce_on_plateau", Map.of("monitor", ""), "monitor: expected a metric name such as val_loss"),
                bad("reduce_on_plateau", Map.of("monitor", 5), "monitor: expected a string, got 5"),
                bad("reduce_on_plateau", Map.of("patiense", 3),
                        "patiense: unknown option for schedule reduce_on_plateau "
                        + "(accepted: type, monitor, mode, factor, patience, threshold, threshold_mode, cooldown, "
                        + "min_lr, eps, unit)"),
                bad("piecewise", Map.of(), "values: is required for schedule piecewise"),
                bad("piecewise", Map.of("values", List.of(0.1)),
                        "values: expected a mapping such as {1: 0.1, 10: 0.01}, got a list"),
                bad("piecewise", Map.of("values", Map.of()), "values: expected at least one entry EPOCH: LR"),
                bad("piecewise", Map.of("values", Map.of(0, 0.1)),
                        "values: keys are epochs (or batch steps) counting from 1, got 0"),
                bad("piecewise", Map.of("values", Map.of("x", 0.1)), "values: expected an integer, got 'x' (a string)"),
                bad("piecewise", Map.of("values", Map.of(3, -0.1)),
                        "values.3: expected a finite number >= 0, got -0.1"),
                bad("piecewise", Map.of("values", twice), "values: key 3 appears twice"));
    }

    private static Arguments bad(String type, Map<String, Object> options, String message) {
        return Arguments.of(type, options, message);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badEntries")
    void messageNamesTheOption(String type, Map<String, Object> options, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Schedules.create(type, options));
        assertEquals(message, e.getMessage());
    }

    @Test
    void entryWithoutTypeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedules.create(Map.of("step_size", 3)));
        assertEquals("type: is required, one of step, multistep, exponential, cosine, warmup, reduce_on_plateau, "
                + "piecewise", e.getMessage());
    }

    @Test
    void numbersMayArriveAsIntegerLongDoubleOrNumericString() {
        Map<String, Object> expected = Map.of("type", "step", "step_size", 10, "gamma", 1.0, "unit", "epoch");
        assertEquals(expected, Schedules.create("step", Map.of("step_size", 10, "gamma", 1)).toConfig());
        assertEquals(expected, Schedules.create("step", Map.of("step_size", 10L, "gamma", 1L)).toConfig());
        assertEquals(expected, Schedules.create("step", Map.of("step_size", 10.0, "gamma", 1.0)).toConfig());
        // SnakeYAML (YAML 1.1) reads 1e0 as a string.
        assertEquals(expected, Schedules.create("step", Map.of("step_size", "10", "gamma", "1e0")).toConfig());
    }

    @Test
    void listPositionIsCheckedByTheTrainer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScheduleList.none().lr(0.1, 0, 0));
        assertEquals("epoch counts from 1 and batchStep from 0, got epoch 0, batchStep 0", e.getMessage());
    }
}
