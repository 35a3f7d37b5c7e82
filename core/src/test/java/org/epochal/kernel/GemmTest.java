package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.rng.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast GEMM equals its scalar twin bit for bit, for every transpose, accumulate on and off, offsets and
 * padded leading dimensions, odd sizes and 1, 2 and 3 threads; and a row's result ignores the other rows.
 */
class GemmTest {
    @ParameterizedTest
    @CsvSource({
            // tiny and odd
            "1,1,1", "3,5,7", "17,1,3", "1,17,33", "2,3,0", "4,16,1", "3,3,3", "17,17,17",
            // one dimension 1000
            "5,1000,3", "1000,3,17", "3,17,1000", "1,1000,1000", "1000,1,1000", "17,1000,257",
            // the MLP: x·W1ᵀ, dyᵀ·x, dy·W2, x·W3ᵀ (batch 64), and the evaluation batch
            "64,256,784", "256,784,64", "64,256,128", "64,10,128", "10,128,64", "256,128,256",
            // k past one block (KC = 256), rows past one block (MC = 96), few panels with many rows
            "300,40,600", "130,70,300", "97,1000,257", "200,129,513",
            // im2col-like: many rows, few columns, short k
            "2000,32,9", "1500,9,32", "67,300,260", "64,100,17", "32,9,3000",
            // a few rows times Bᵀ (batch 1 to 4): full and partial blocks of 16 columns and of 16 k
            "1,256,784", "2,256,784", "4,33,40", "3,10,128", "1,16,16", "2,15,17",
            // one row (batch 1): whole and partial panels of 64 columns, k past one block of 64
            "1,64,64", "1,65,130", "1,128,65", "1,200,129",
            // one row of at most 16 columns (a batch of one through a narrow layer): B read through a mask
            "1,10,128", "1,5,3", "1,16,200",
            // k = 1 (a batch of one's weight gradient): whole panels of 64 columns, a partial one, none whole
            "784,256,1", "130,200,1", "5,63,1",
            // B of over 2^19 elements: read in place but for its partial last panel; packed when its rows
            // lie a multiple of 1 KB apart (n = 1023: ldb = 1024 below)
            "7,1100,500", "13,1024,520", "5,1023,520"})
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
                            for (int repeat = 0; repeat < 2; repeat++) { // the second call reuses the scratch
                                float[] c = c0.clone();
                                Gemm.gemm(par, transA, transB, m, n, k, a, 5, lda, b, 3, ldb, accumulate, c, 1, ldc);
                                assertArrayEquals(expected, c, "m=" + m + " n=" + n + " k=" + k + " transA=" + transA
                                        + " transB=" + transB + " accumulate=" + accumulate + " threads=" + threads);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A sample's output does not depend on its batch neighbours, the batch size, or its place in a tile. */
    @Test
    void eachRowIsComputedAsIfAlone() {
        int m = 64;
        int n = 200;
        int k = 300;
        Rng rng = new Rng(7);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                int lda = transA ? m : k;
                int ldb = transB ? k : n;
                float[] a = random(rng, m * k);
                float[] b = random(rng, n * k);
                for (int threads : new int[] {1, 2}) {
                    try (Parallel par = new Parallel(threads)) {
                        float[] batch = new float[m * n];
                        Gemm.gemm(par, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, false, batch, 0, n);
                        for (int i = 0; i < m; i++) {
                            float[] alone = new float[n];
                            // Row i of op(A) alone: start at its first element, same strides.
                            Gemm.gemm(par, transA, transB, 1, n, k, a, transA ? i : i * k, lda, b, 0, ldb, false,
                                    alone, 0, n);
                            float[] row = java.util.Arrays.copyOfRange(batch, i * n, (i + 1) * n);
                            assertArrayEquals(row, alone, "row " + i + " transA=" + transA + " transB=" + transB);
                        }
                    }
                }
            }
        }
    }

    /** The shapes above reach both orientations of the kernel. */
    @Test
    void bothOrientationsAreTested() {
        for (int threads : new int[] {1, 2, 3}) {
            assertTrue(GemmPlan.prefersILanes(false, true, true, 64, 256, 784, threads), "x·W1ᵀ at batch 64");
            assertTrue(GemmPlan.prefersILanes(true, true, false, 64, 256, 784, threads), "Aᵀ·Bᵀ");
            assertFalse(GemmPlan.prefersILanes(false, true, false, 2000, 32, 9, threads), "im2col·Wᵀ");
            assertFalse(GemmPlan.prefersILanes(true, false, true, 256, 784, 64, threads), "dW += dyᵀ·x");
            assertTrue(GemmPlan.prefersILanes(true, false, true, 32, 9, 43264, threads), "conv dW += dyᵀ·col");
        }
    }

    @Test
    void fmaChainStartsFromPositiveZero() {
        // (-1)·(+0) = -0; a chain started from +0 gives +0 + -0 = +0, as the reference does.
        float[] a = {-1f};
        float[] b = {0f};
        float[] c = {Float.NaN};
        Gemm.gemm(Parallel.SEQUENTIAL, false, false, 1, 1, 1, a, 0, 1, b, 0, 1, false, c, 0, 1);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(c[0]));
    }

    private static float[] random(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
