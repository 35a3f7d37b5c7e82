package org.epochal.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FiredUnitsTest {
    /** Over several batches, a unit has fired exactly when one of its outputs in one of them was positive. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 25})
    void aUnitFiredWhenAnyOfItsOutputsInAnyBatchWasPositive(int per) {
        int units = 37;
        SplittableRandom r = new SplittableRandom(per);
        FiredUnits f = new FiredUnits(units);
        boolean[] expected = new boolean[units];
        for (int batch = 0; batch < 5; batch++) {
            int rows = 1 + r.nextInt(9);
            float[] y = new float[rows * units * per];
            for (int i = 0; i < y.length; i++) {
                int u = i / per % units;
                // units 0-9 never fire, 10-19 rarely, the rest often; zeros count as not fired
                double p = u < 10 ? 0 : u < 20 ? 0.01 : 0.3;
                y[i] = r.nextDouble() < p ? (float) r.nextDouble(1e-30, 1) : r.nextBoolean() ? 0f : -1f;
                expected[u] |= y[i] > 0f;
            }
            f.mark(y, rows, per);
            int dead = 0;
            for (int u = 0; u < units; u++) {
                assertEquals(expected[u], f.fired(u), "unit " + u + " after batch " + batch);
                dead += expected[u] ? 0 : 1;
            }
            assertEquals(dead, f.dead());
        }
        assertEquals(units, f.units());
    }

    /** Marked by halves (each half in its own marks, then settled), a dense layer's units fire as when marked whole. */
    @org.junit.jupiter.api.Test
    void halvesFireTheUnitsTheWholeBatchFires() {
        int units = 37;
        SplittableRandom r = new SplittableRandom(9);
        FiredUnits whole = new FiredUnits(units);
        FiredUnits halves = new FiredUnits(units);
        for (int batch = 0; batch < 5; batch++) {
            int rows = 2 + r.nextInt(9);
            float[] y = new float[rows * units];
            for (int i = 0; i < y.length; i++) {
                int u = i % units;
                double p = u < 10 ? 0 : u < 20 ? 0.02 : 0.3;
                y[i] = r.nextDouble() < p ? (float) r.nextDouble(1e-30, 1) : r.nextBoolean() ? 0f : -1f;
            }
            whole.mark(y, rows, 1);
            halves.markHalf(y, rows / 2, rows, 1);
            halves.markHalf(y, 0, rows / 2, 0);
            halves.settleHalves();
            for (int u = 0; u < units; u++) {
                assertEquals(whole.fired(u), halves.fired(u), "unit " + u + " after batch " + batch);
            }
            assertEquals(whole.dead(), halves.dead());
        }
        org.junit.jupiter.api.Assertions.assertTrue(whole.dead() >= 10 && whole.dead() < units - 10, "some fire, some not");
    }
}
