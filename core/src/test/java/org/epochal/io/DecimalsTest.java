package org.epochal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Decimals.parseDouble gives Double.parseDouble's double, bit for bit, or its exception. */
class DecimalsTest {
    private static void same(String s) {
        double expected;
        try {
            expected = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            assertThrows(NumberFormatException.class, () -> Decimals.parseDouble(s), s);
            return;
        }
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(Decimals.parseDouble(s)), s);
    }

    @Test
    void floatsAndDoublesAsJavaWritesThem() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            same(Float.toString(f));
            double d = r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30));
            same(Double.toString(d));
            same(Float.toString((float) d));
        }
    }

    @Test
    void decimalsOfEveryLengthAndExponent() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(r.nextBoolean() ? "-" : "");
            int before = r.nextInt(0, 12);
            for (int k = 0; k < before; k++) {
                s.append((char) ('0' + r.nextInt(10)));
            }
            if (r.nextBoolean()) {
                s.append('.');
                int after = r.nextInt(0, 12);
                for (int k = 0; k < after; k++) {
                    s.append((char) ('0' + r.nextInt(10)));
                }
            }
            if (r.nextInt(3) == 0) {
                s.append(r.nextBoolean() ? 'E' : 'e').append(r.nextInt(4) == 0 ? "+" : "").append(r.nextInt(-40, 40));
            }
            same(s.toString());
        }
    }

    @Test
    void edgesAndNonNumbers() {
        for (String s : new String[] {"0", "-0", "0.0", "-0.0", "0e5", "1e22", "1e23", "1e-22", "1e-23", "9007199254740993",
                "123456789012345", "1234567890123456", "0.000000000000000000000000000001", "1.7976931348623157E308",
                "4.9E-324", "NaN", "Infinity", "-Infinity", "", "-", ".", "1e", "1e+", "e5", "1.2.3", " 1", "1 ",
                "1f", "1d", "0x1p3", "+1.5", "1_0", "00012.500", ".5", "5.", "-.5e-3", "1e99999999999"}) {
            same(s);
        }
    }
}
