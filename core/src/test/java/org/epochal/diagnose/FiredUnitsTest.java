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
}
