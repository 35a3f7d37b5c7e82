package org.epochal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.junit.jupiter.api.Test;

/**
 * A run checkpointed after any epoch and resumed from the checkpoint's JSON (schedule configs and state)
 * continues with exactly the rates of the run that was never interrupted.
 */
class ScheduleStateTest {
    @SuppressWarnings("unchecked")
    private static <T> T viaJson(Object value) {
        return (T) Json.parse(Json.write(value));
    }

    @Test
    void resumedRunsContinueBitIdentically() {
        for (Map<String, Object> golden : ScheduleGoldenTest.cases()) {
            String name = (String) golden.get("name");
            List<Double> uninterrupted = ScheduleGoldenTest.run(ScheduleGoldenTest.build(golden), golden, 1, 30);
            for (int stop : new int[] {0, 1, 7, 13, 29}) {
                ScheduleList first = ScheduleGoldenTest.build(golden);
                List<Double> resumed = new ArrayList<>(ScheduleGoldenTest.run(first, golden, 1, stop));
                List<Map<String, Object>> config = viaJson(first.toConfig());
                List<Map<String, Object>> state = viaJson(first.state());
                ScheduleList second = Schedules.list(config);
                second.restore(state);
                resumed.addAll(ScheduleGoldenTest.run(second, golden, stop + 1, 30));
                assertEquals(uninterrupted, resumed, name + " resumed after epoch " + stop);
            }
        }
    }

    @Test
    void stateHoldsOnlyJsonValuesEvenForAnInfiniteBest() {
        ScheduleList list = Schedules.list(List.of(Map.of("type", "reduce_on_plateau", "mode", "max")));
        Map<String, Object> state = list.state().get(0);
        assertEquals("-Infinity", state.get("best"));
        assertEquals("NaN", state.get("last_lr_in"));
        for (Object v : state.values()) {
            assertTrue(v instanceof Number || v instanceof String || v instanceof Boolean, String.valueOf(v));
        }
        list.restore(viaJson(list.state()));
        assertEquals(state, list.state().get(0));
    }

    @Test
    void restoreRefusesAStateThatDoesNotFit() {
        ScheduleList plateau = Schedules.list(List.of(Map.of("type", "reduce_on_plateau")));
        ScheduleList step = Schedules.list(List.of(Map.of("type", "step", "step_size", 2)));
        assertEquals("schedule state has 2 entries, but the experiment has 1 schedules",
                assertThrows(IllegalArgumentException.class,
                        () -> step.restore(List.of(Map.of(), Map.of()))).getMessage());
        assertEquals("schedule step keeps no state, got keys [best]",
                assertThrows(IllegalArgumentException.class,
                        () -> step.restore(List.of(Map.of("best", 1.0)))).getMessage());
        assertEquals("reduce_on_plateau state: expected keys [best, cooldown_counter, last_lr_in, num_bad_epochs, "
                        + "reductions], got []",
                assertThrows(IllegalArgumentException.class, () -> plateau.restore(List.of(Map.of()))).getMessage());
        Map<String, Object> state = new HashMap<>(plateau.state().get(0));
        state.put("reductions", -1);
        assertEquals("reduce_on_plateau state: reductions must be an integer >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> plateau.restore(List.of(state))).getMessage());
        state.put("reductions", 0);
        state.put("best", "lots");
        assertEquals("reduce_on_plateau state: best must be a number, got lots",
                assertThrows(IllegalArgumentException.class, () -> plateau.restore(List.of(state))).getMessage());
    }
}
