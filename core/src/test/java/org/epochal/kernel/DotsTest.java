package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.epochal.rng.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dots equals its element-by-element order bit for bit, and that order sums the dot product. */
class DotsTest {
    @ParameterizedTest
    @CsvSource({"1,1,1", "1,1,3", "3,2,17", "5,7,16", "4,3,1000", "32,9,1040", "2,5,2049", "17,1,3000", "1,17,33"})
    void equalsItsReferenceOrderBitForBit(int m, int n, int k) {
        Rng rng = new Rng(m * 7919L + n * 31L + k);
        int lda = k + 3;
        int ldb = k + 1;
        int ldc = n + 2;
        float[] a = random(rng, 2 + m * lda);
        float[] b = random(rng, 5 + n * ldb);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] c0 = random(rng, 1 + m * ldc);
            float[] expected = c0.clone();
            Dots.reference(m, n, k, a, 2, lda, b, 5, ldb, accumulate, expected, 1, ldc);
            for (int repeat = 0; repeat < 2; repeat++) { // the second call reuses the lane scratch
                float[] c = c0.clone();
                Dots.rows(m, n, k, a, 2, lda, b, 5, ldb, accumulate, c, 1, ldc);
                assertArrayEquals(expected, c, "m=" + m + " n=" + n + " k=" + k + " accumulate=" + accumulate);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = accumulate ? c0[1 + i * ldc + j] : 0;
                    double size = Math.abs(dot);
                    for (int p = 0; p < k; p++) {
                        double term = (double) a[2 + i * lda + p] * b[5 + j * ldb + p];
                        dot += term;
                        size += Math.abs(term);
                    }
                    assertEquals(dot, expected[1 + i * ldc + j], 1e-6 * size + 1e-30, "element " + i + "," + j);
                }
            }
        }
    }

    private static float[] random(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
