package org.epochal.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void evidenceIsRoundedToFourDigitsAsItIsWritten() {
        assertEquals(1.235, Stats.round(1.2345)); // the double just below 1.2345: still its written form
        assertEquals(-1.235e-4, Stats.round(-0.00012345));
        assertEquals(123500.0, Stats.round(123456.0));
        assertEquals(0.3, Stats.round(0.1 + 0.2));
        assertEquals(2.0e-300, Stats.round(1.99999e-300));
        assertEquals(7.0, Stats.round(7.0));
        assertEquals(0.0, Stats.round(0.0));
        assertEquals(4.9e-324, Stats.round(Double.MIN_VALUE));
        assertEquals(9.999e6, Stats.round(9999000.4));
        assertEquals(1.0e7, Stats.round(9999500.0)); // the carry adds a digit
        assertEquals(0.001235, Stats.round(0.0012345678901234567));
        assertEquals(Double.NaN, Stats.round(Double.NaN));
        assertEquals(Double.NEGATIVE_INFINITY, Stats.round(Double.NEGATIVE_INFINITY));
    }

    @Test
    void roundingAgreesWithBigDecimalOnTheWrittenForm() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double v = (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(10, r.nextInt(-320, 300));
            double expected = java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).doubleValue();
            assertEquals(expected, Stats.round(v), "v=" + v);
        }
    }
}
