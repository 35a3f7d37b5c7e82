package org.epochal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epochal.io.Json;
import org.epochal.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of golden/schedules.json (tools/golden/schedules.py): the Epochal schedule list its
 * "schedules" entry describes gives PyTorch's learning rate for every batch of 30 epochs, to a relative
 * 1e-12, with the plateau cases fed the same metrics after each epoch.
 */
class ScheduleGoldenTest {
    private static final double TOLERANCE = 1e-12;

    @SuppressWarnings("unchecked")
    static Map<String, Object> fixture() {
        try {
            return (Map<String, Object>) Json.parse(Files.readString(Golden.path("schedules.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() {
        return (List<Map<String, Object>>) fixture().get("cases");
    }

    static Map<String, Object> golden(String name) {
        return cases().stream().filter(c -> c.get("name").equals(name)).findFirst().orElseThrow();
    }

    static Stream<String> caseNames() {
        return cases().stream().map(c -> (String) c.get("name"));
    }

    /** The schedule list a case describes. */
    @SuppressWarnings("unchecked")
    static ScheduleList build(Map<String, Object> golden) {
        return Schedules.list((List<Map<String, Object>>) golden.get("schedules"));
    }

    /** The metrics PyTorch's plateau scheduler saw after epoch {@code epoch} (empty for other cases). */
    @SuppressWarnings("unchecked")
    static Map<String, Double> metrics(Map<String, Object> golden, int epoch) {
        Map<String, Double> metrics = new HashMap<>();
        List<Object> all = (List<Object>) golden.get("metrics");
        if (all != null) {
            ((Map<String, Object>) all.get(epoch - 1)).forEach((k, v) -> metrics.put(k, ((Number) v).doubleValue()));
        }
        return metrics;
    }

    /** The rates a list gives over epochs from..to (1-based, inclusive), calling endEpoch after each. */
    static List<Double> run(ScheduleList list, Map<String, Object> golden, int from, int to) {
        double base = ((Number) golden.get("base_lr")).doubleValue();
        int batches = ((Number) golden.get("batches_per_epoch")).intValue();
        List<Double> lrs = new ArrayList<>();
        for (int epoch = from; epoch <= to; epoch++) {
            for (int b = 0; b < batches; b++) {
                lrs.add(list.lr(base, epoch, (long) (epoch - 1) * batches + b));
            }
            list.endEpoch(metrics(golden, epoch));
        }
        return lrs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void matchesPyTorch(String name) {
        Map<String, Object> golden = golden(name);
        List<?> expected = (List<?>) golden.get("lrs");
        List<Double> actual = run(build(golden), golden, 1, ((Number) fixture().get("epochs")).intValue());
        assertEquals(expected.size(), actual.size(), name + ": number of batches");
        for (int i = 0; i < expected.size(); i++) {
            double e = ((Number) expected.get(i)).doubleValue();
            double a = actual.get(i);
            // An exact 0 (cosine at T_max with eta_min 0) must be matched exactly.
            assertTrue(Math.abs(a - e) <= TOLERANCE * Math.abs(e),
                    name + " batch step " + i + ": expected " + e + ", got " + a);
        }
    }

    @Test
    void plateauAloneIsBitIdenticalToPyTorch() {
        for (String name : caseNames().filter(n -> n.startsWith("plateau")).toList()) {
            Map<String, Object> golden = golden(name);
            List<?> expected = (List<?>) golden.get("lrs");
            List<Double> actual = run(build(golden), golden, 1, expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(((Number) expected.get(i)).doubleValue(), actual.get(i), 0.0, name + " epoch " + (i + 1));
            }
        }
    }

    @Test
    void fixtureRecordsItsOrigin() {
        assertTrue(((String) fixture().get("torch_version")).startsWith("1.13"));
        assertTrue(cases().size() >= 15);
    }
}
