package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.io.Json;
import org.junit.jupiter.api.Test;

/** Fitting on training data, applying in place (whole sets and batches), and the stored form. */
class NormalizationTest {
    // Three samples of three features; the last feature is constant.
    private static Dataset train() {
        return new Dataset(new float[] {1, 10, 5, 2, 20, 5, 3, 60, 5}, new int[] {3}, new float[] {0, 1, 0}, 1,
                List.of(), "train");
    }

    @Test
    void standardUsesTrainingStatisticsAndKeepsConstantFeatures() {
        Normalization n = Normalization.fit("standard", 0, train());
        Map<String, Object> map = n.toMap();
        assertEquals(List.of(2.0, 30.0, 5.0), map.get("mean"));
        List<?> std = (List<?>) map.get("std");
        assertEquals(Math.sqrt(2.0 / 3), (Double) std.get(0), 1e-15);
        assertEquals(Math.sqrt(1400.0 / 3), (Double) std.get(1), 1e-12);
        assertEquals(1.0, std.get(2));

        float[] other = {2, 30, 5, 4, 30, 6};
        n.apply(other, 0, other.length);
        assertArrayEquals(new float[] {0, 0, 0, (float) (2 / Math.sqrt(2.0 / 3)), 0, 1}, other, 1e-6f);
    }

    @Test
    void minMaxAndScale() {
        Dataset data = train();
        Normalization.fit("minmax", 0, data).apply(data);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0.2f, 0, 1, 1, 0}, data.features(), 1e-7f);

        float[] pixels = {0, 51, 255};
        Normalization.fit("scale", 255, train()).apply(pixels, 0, 3);
        assertArrayEquals(new float[] {0, 0.2f, 1}, pixels);
        float[] unchanged = {7, 8};
        Normalization.fit("none", 0, train()).apply(unchanged, 0, 2);
        assertArrayEquals(new float[] {7, 8}, unchanged);
    }

    @Test
    void appliesToOneBatchInsideABuffer() {
        Normalization n = Normalization.fit("minmax", 0, train());
        float[] buffer = {99, 2, 20, 5, 99};
        n.apply(buffer, 1, 3);
        assertArrayEquals(new float[] {99, 0.5f, 0.2f, 0, 99}, buffer, 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> n.apply(buffer, 0, 4));
    }

    @Test
    void roundTripsThroughJson() {
        for (String type : Normalization.TYPES) {
            Normalization n = Normalization.fit(type, 255, train());
            @SuppressWarnings("unchecked")
            Map<String, Object> read = (Map<String, Object>) Json.parse(Json.write(n.toMap()));
            Normalization back = Normalization.fromMap(read);
            assertEquals(n, back, type);
            float[] a = {4, 5, 6};
            float[] b = a.clone();
            n.apply(a, 0, 3);
            back.apply(b, 0, 3);
            assertArrayEquals(a, b, type);
        }
    }

    @Test
    void refusals() {
        assertEquals("normalize: type 'zscore' does not exist; known: none, scale, standard, minmax",
                assertThrows(BadInputException.class, () -> Normalization.fit("zscore", 1, train())).getMessage());
        assertEquals("normalize: scale needs a positive finite factor, got 0.0",
                assertThrows(BadInputException.class, () -> Normalization.fit("scale", 0, train())).getMessage());
        assertThrows(BadInputException.class, () -> Normalization.fromMap(Map.of("type", "standard",
                "mean", List.of(1.0), "std", List.of(0.0))));
        Dataset wide = new Dataset(new float[4], new int[] {4}, new float[1], 1, List.of(), "wide");
        assertEquals("wide: samples have 4 features but the standard normalisation was fitted on 3",
                assertThrows(BadInputException.class, () -> Normalization.fit("standard", 0, train()).apply(wide))
                        .getMessage());
    }
}
