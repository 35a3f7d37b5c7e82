package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.epochal.rng.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fast GEMM equals its scalar twin bit for bit, for every transpose, odd sizes and thread counts. */
class GemmTest {
    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "17,1,3", "1,17,33", "64,100,17", "5,1000,3", "1000,3,17", "67,300,260",
            "4,16,1", "2,3,0"})
    void equalsReferenceBitForBit(int m, int n, int k) {
        Rng rng = new Rng(m * 1000003L + n * 1009L + k);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    // Offsets and padded leading dimensions exercise the general addressing.
                    int lda = (transA ? m : k) + 2;
                    int ldb = (transB ? k : n) + 1;
                    int ldc = n + 3;
                    float[] a = random(rng, 5 + (transA ? k : m) * lda);
                    float[] b = random(rng, 3 + (transB ? n : k) * ldb);
                    float[] c0 = random(rng, 1 + m * ldc);
                    float[] expected = c0.clone();
                    GemmReference.gemm(transA, transB, m, n, k, a, 5, lda, b, 3, ldb, accumulate, expected, 1, ldc);
                    for (int threads : new int[] {1, 2, 3}) {
                        try (Parallel par = new Parallel(threads)) {
                            float[] c = c0.clone();
                            Gemm.gemm(par, transA, transB, m, n, k, a, 5, lda, b, 3, ldb, accumulate, c, 1, ldc);
                            assertArrayEquals(expected, c, "transA=" + transA + " transB=" + transB
                                    + " accumulate=" + accumulate + " threads=" + threads);
                        }
                    }
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
