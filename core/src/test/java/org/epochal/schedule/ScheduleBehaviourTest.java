package org.epochal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.junit.jupiter.api.Test;

/** Units, piecewise, chaining and resolved configs: behaviour PyTorch has no fixture for. */
class ScheduleBehaviourTest {
    private static final double BASE = 0.1;

    @SafeVarargs
    private static ScheduleList list(Map<String, Object>... entries) {
        return Schedules.list(List.of(entries));
    }

    @Test
    void unitBatchCountsBatchesAndIgnoresEpochs() {
        ScheduleList list = list(Map.of("type", "step", "step_size", 2, "gamma", 0.5, "unit", "batch"));
        // 3 batches per epoch: steps 0..5 over epochs 1, 1, 1, 2, 2, 2.
        double[] expected = {0.1, 0.1, 0.05, 0.05, 0.025, 0.025};
        for (int step = 0; step < 6; step++) {
            assertEquals(expected[step], list.lr(BASE, 1 + step / 3, step), 1e-17, "step " + step);
        }
    }

    @Test
    void unitEpochIsConstantWithinAnEpoch() {
        ScheduleList list = list(Map.of("type", "exponential", "gamma", 0.5));
        assertEquals(0.1, list.lr(BASE, 1, 0));
        assertEquals(0.1, list.lr(BASE, 1, 99));
        assertEquals(0.05, list.lr(BASE, 2, 100));
        assertEquals(0.025, list.lr(BASE, 3, 200));
    }

    @Test
    void batchWarmupTimesEpochStep() {
        ScheduleList list = list(Map.of("type", "warmup", "epochs", 4, "start_factor", 0.2, "unit", "batch"),
                Map.of("type", "step", "step_size", 1, "gamma", 0.5));
        // 2 batches per epoch; the warmup factor goes 0.2, 0.4, 0.6, 0.8, 1 over steps 0..4.
        assertEquals(0.1 * 0.2, list.lr(BASE, 1, 0), 1e-17);
        assertEquals(0.1 * 0.4, list.lr(BASE, 1, 1), 1e-17);
        assertEquals(0.1 * 0.6 * 0.5, list.lr(BASE, 2, 2), 1e-17);
        assertEquals(0.1 * 0.8 * 0.5, list.lr(BASE, 2, 3), 1e-17);
        assertEquals(0.1 * 0.25, list.lr(BASE, 3, 4), 1e-17);
        assertEquals(0.1 * 0.125, list.lr(BASE, 4, 6), 1e-17);
    }

    @Test
    void piecewiseSetsTheRateFromThatEpochOn() {
        ScheduleList list = list(Map.of("type", "piecewise", "values", Map.of(3, 0.01, 6, 0.001)));
        double[] expected = {0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001};
        for (int epoch = 1; epoch <= 7; epoch++) {
            assertEquals(expected[epoch - 1], list.lr(BASE, epoch, 10L * (epoch - 1)), "epoch " + epoch);
        }
    }

    @Test
    void piecewiseKeysCountFromOneInBothUnits() {
        ScheduleList epochs = list(Map.of("type", "piecewise", "values", Map.of(1, 0.5)));
        assertEquals(0.5, epochs.lr(BASE, 1, 0));
        // JSON gives string keys: {"1": 0.2, "5": 0.02} is the 1st and the 5th training batch.
        ScheduleList batches =
                list(Map.of("type", "piecewise", "values", Map.of("1", 0.2, "5", 0.02), "unit", "batch"));
        assertEquals(0.2, batches.lr(BASE, 1, 0));
        assertEquals(0.2, batches.lr(BASE, 2, 3));
        assertEquals(0.02, batches.lr(BASE, 2, 4));
    }

    @Test
    void piecewiseReplacesWhatCameBeforeAndIsScaledByWhatFollows() {
        ScheduleList list = list(Map.of("type", "exponential", "gamma", 0.5),
                Map.of("type", "piecewise", "values", Map.of(3, 0.04)),
                Map.of("type", "warmup", "epochs", 2, "start_factor", 0.5));
        assertEquals(0.1 * 0.5, list.lr(BASE, 1, 0), 1e-17);
        assertEquals(0.05 * 0.75, list.lr(BASE, 2, 1), 1e-17);
        assertEquals(0.04, list.lr(BASE, 3, 2), 1e-17);
        assertEquals(0.04, list.lr(BASE, 9, 8), 1e-17);
    }

    @Test
    void multistepMilestonesInAnyOrderAndRepeatedDecayTwice() {
        ScheduleList list = list(Map.of("type", "multistep", "milestones", List.of(5, 2, 5), "gamma", 0.5));
        assertEquals(0.1, list.lr(BASE, 2, 0));
        assertEquals(0.05, list.lr(BASE, 3, 0)); // t = 2 reaches milestone 2
        assertEquals(0.0125, list.lr(BASE, 6, 0)); // milestone 5 counts twice, as in PyTorch's Counter
        assertEquals(List.of(2, 5, 5), list.toConfig().get(0).get("milestones"));
    }

    @Test
    void cosineRisesAgainAfterTMax() {
        ScheduleList list = list(Map.of("type", "cosine", "t_max", 4));
        assertEquals(0.0, list.lr(BASE, 5, 0)); // cos(π) is exactly −1
        assertEquals(list.lr(BASE, 4, 0), list.lr(BASE, 6, 0), 1e-15);
        assertEquals(BASE, list.lr(BASE, 9, 0), 1e-15);
    }

    @Test
    void plateauScalesTheIncomingRate() {
        ScheduleList list = list(Map.of("type", "warmup", "epochs", 4, "start_factor", 0.25),
                Map.of("type", "reduce_on_plateau", "patience", 0, "factor", 0.5));
        Map<String, Double> flat = Map.of("val_loss", 1.0);
        assertEquals(0.025, list.lr(BASE, 1, 0), 1e-17);
        list.endEpoch(flat); // first value: an improvement on +inf
        assertEquals(0.04375, list.lr(BASE, 2, 0), 1e-17);
        list.endEpoch(flat); // one bad epoch > patience 0: halve
        assertEquals(0.0625 * 0.5, list.lr(BASE, 3, 0), 1e-17);
        list.endEpoch(flat);
        assertEquals(0.1 * 0.25, list.lr(BASE, 5, 0), 1e-17);
    }

    @Test
    void plateauNamesAMissingMetric() {
        ScheduleList list = list(Map.of("type", "reduce_on_plateau"));
        list.lr(BASE, 1, 0);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", 0.5);
        metrics.put("train_accuracy", 0.8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> list.endEpoch(metrics));
        assertEquals("reduce_on_plateau monitors 'val_loss', but the epoch's metrics are only "
                + "[train_accuracy, train_loss] (val_ metrics need validation data)", e.getMessage());
    }

    @Test
    void noneKeepsTheBaseRate() {
        ScheduleList none = ScheduleList.none();
        none.endEpoch(Map.of());
        assertEquals(0.3, none.lr(0.3, 7, 1000));
        assertTrue(none.isEmpty());
        assertEquals(List.of(), none.state());
        assertEquals(List.of(), none.toConfig());
    }

    @Test
    void configsFillEveryDefault() {
        assertEquals(Map.of("type", "step", "step_size", 10, "gamma", 0.1, "unit", "epoch"),
                Schedules.create("step", Map.of("step_size", 10)).toConfig());
        assertEquals(Map.of("type", "warmup", "epochs", 5, "start_factor", 1.0 / 3, "unit", "epoch"),
                Schedules.create("warmup", null).toConfig());
        assertEquals(Map.of("type", "cosine", "t_max", 20, "eta_min", 0.0, "unit", "batch"),
                Schedules.create("cosine", Map.of("t_max", 20, "unit", "batch")).toConfig());
        assertEquals("{\"type\":\"reduce_on_plateau\",\"monitor\":\"val_loss\",\"mode\":\"min\",\"factor\":0.1,"
                + "\"patience\":10,\"threshold\":1.0E-4,\"threshold_mode\":\"rel\",\"cooldown\":0,\"min_lr\":0.0,"
                + "\"eps\":1.0E-8,\"unit\":\"epoch\"}",
                Json.write(Schedules.create("reduce_on_plateau", Map.of()).toConfig()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void configsRoundTripThroughJson() {
        ScheduleList list = list(Map.of("type", "step", "step_size", 3),
                Map.of("type", "multistep", "milestones", List.of(4)),
                Map.of("type", "exponential", "gamma", 0.97, "unit", "batch"), Map.of("type", "cosine", "t_max", 9),
                Map.of("type", "warmup"), Map.of("type", "reduce_on_plateau", "mode", "max", "monitor", "val_accuracy"),
                Map.of("type", "piecewise", "values", Map.of(4, 0.5, 2, 0.25)));
        List<Map<String, Object>> config = list.toConfig();
        List<Map<String, Object>> reread = (List<Map<String, Object>>) Json.parse(Json.write(config));
        assertEquals(Json.write(config), Json.write(Schedules.list(reread).toConfig()));
        for (int epoch = 1; epoch <= 12; epoch++) {
            assertEquals(list.lr(BASE, epoch, epoch * 7L), Schedules.list(reread).lr(BASE, epoch, epoch * 7L));
        }
    }
}
