package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;

/** Validation splits: sizes, class proportions, original order, determinism and refusals. */
class SplitsTest {
    /** n samples whose single feature is the sample's index, labelled by {@code classOf}. */
    private static Dataset indexed(int[] classOf) {
        float[] x = new float[classOf.length];
        float[] y = new float[classOf.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            y[i] = classOf[i];
        }
        return new Dataset(x, new int[] {1}, y, 1, List.of(), "data");
    }

    @Test
    void stratifiedKeepsClassProportionsAndOrder() {
        // 60 of class 0, 30 of class 1, 10 of class 2.
        int[] classOf = new int[100];
        for (int i = 0; i < 100; i++) {
            classOf[i] = i % 10 == 0 ? 2 : i % 3 == 0 ? 1 : 0;
        }
        int[] counts = new int[3];
        for (int c : classOf) {
            counts[c]++;
        }
        Dataset data = indexed(classOf);
        Dataset[] parts = Splits.validationSplit(data, 0.2, 5, true);
        assertEquals(100 - 20, parts[0].size());
        assertEquals(20, parts[1].size());
        int[] held = new int[3];
        for (float y : parts[1].targets()) {
            held[(int) y]++;
        }
        assertArrayEquals(new int[] {Math.round(counts[0] * 0.2f), Math.round(counts[1] * 0.2f),
                Math.round(counts[2] * 0.2f)}, held);
        assertPartition(data, parts);
    }

    @Test
    void sharesAddUpAndRareClassesAreNotOverTaken() {
        // Ten classes of five: 0.1 × 5 = 0.5 each would round to 10 samples; the total must stay at 5.
        int[] classOf = new int[50];
        for (int i = 0; i < 50; i++) {
            classOf[i] = i % 10;
        }
        Dataset[] parts = Splits.validationSplit(indexed(classOf), 0.1, 1, true);
        assertEquals(5, parts[1].size());
        float[] held = parts[1].targets();
        assertEquals(5, IntStream.range(0, held.length).mapToObj(i -> held[i]).distinct().count());
    }

    @Test
    void randomSubsetIsDeterministicAndNeverEmpty() {
        Dataset data = indexed(new int[40]);
        Dataset[] a = Splits.validationSplit(data, 0.25, 9, false);
        Dataset[] b = Splits.validationSplit(data, 0.25, 9, false);
        assertEquals(10, a[1].size());
        assertArrayEquals(a[1].features(), b[1].features());
        assertFalse(Arrays.equals(a[1].features(), Splits.validationSplit(data, 0.25, 10, false)[1].features()));
        assertPartition(data, a);

        Dataset two = indexed(new int[] {0, 1});
        assertEquals(1, Splits.validationSplit(two, 0.01, 1, true)[1].size());
        assertEquals(1, Splits.validationSplit(two, 0.99, 1, false)[1].size());
    }

    @Test
    void refusals() {
        Dataset data = indexed(new int[10]);
        for (double bad : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> Splits.validationSplit(data, bad, 1, false));
            assertEquals("validation: fraction must be between 0 and 1 (exclusive), got " + bad, e.getMessage());
        }
        assertTrue(assertThrows(BadInputException.class, () -> Splits.validationSplit(indexed(new int[1]), 0.5, 1, true))
                .getMessage().startsWith("data: 1 sample(s) cannot be split"));
    }

    /** Both parts in original order (features are indices), disjoint, and together the whole set. */
    private static void assertPartition(Dataset data, Dataset[] parts) {
        int[] seen = new int[data.size()];
        for (Dataset part : parts) {
            float previous = -1;
            for (int i = 0; i < part.size(); i++) {
                float index = part.features()[i];
                assertTrue(index > previous, "original order");
                previous = index;
                seen[(int) index]++;
                assertEquals(data.targets()[(int) index], part.targets()[i]);
            }
        }
        for (int s : seen) {
            assertEquals(1, s);
        }
    }
}
