package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.epochal.rng.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dots equals its element-by-element order bit for bit, and that order sums the dot product. */
class DotsTest {
    @ParameterizedTest
    @CsvSource({"1,1,1", "1,1,3", "3,2,17", "5,7,16", "4,3,1000", "32,9,1040", "2,5,2049", "17,1,3000", "1,17,33", "1,256,128", "1,1,16", "1,8,48", "1,16,64", "1,1000,17", "1,3,10", "1,9,1040"})
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

    @ParameterizedTest
    @CsvSource({"1,64,16", "3,128,64", "17,192,64", "1000,128,64", "9,48,16"})
    void aRowAgainstPanelsEqualsItAgainstRows(int n, int k, int width) {
        Rng rng = new Rng(n * 31L + k);
        float[] a = random(rng, k + 2);
        float[] rows = random(rng, n * k);
        float[] panels = new float[n * k + 3]; // element (j, p) at 3 + (p / width)·n·width + j·width + p % width
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                panels[3 + p / width * n * width + j * width + p % width] = rows[j * k + p];
            }
        }
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] c0 = random(rng, n + 1);
            float[] expected = c0.clone();
            Dots.rows(1, n, k, a, 2, k, rows, 0, k, accumulate, expected, 1, n);
            float[] c = c0.clone();
            Dots.rowInPanels(n, k, width, a, 2, panels, 3, accumulate, c, 1);
            assertArrayEquals(expected, c, "n=" + n + " k=" + k + " accumulate=" + accumulate);
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
