package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fixed-order sums: close to a double sum, and exactly in their documented order. */
class BlockSumsTest {
    @Test
    void sumOfSquaresMatchesADoubleSumAndIsTheSameEveryTime() {
        for (int n : new int[] {0, 1, 3, 17, 69, 1000, 3877, 4096, 4097, 3 * 4096 + 100, 4096 + 200}) {
            SplittableRandom r = new SplittableRandom(n);
            float[] g = new float[n];
            double want = 0;
            for (int i = 0; i < n; i++) {
                g[i] = (float) (r.nextGaussian() * 1e-3);
                want += (double) g[i] * g[i];
            }
            double plain = 0;
            double magnitude = 0;
            for (int i = Math.min(5, n); i < n; i++) {
                plain += g[i];
                magnitude += Math.abs(g[i]);
            }
            assertEquals(plain, BlockSums.sum(g, Math.min(5, n), n), 1e-6 * magnitude, "sum from 5, n=" + n);
            double got = BlockSums.sumOfSquares(g);
            assertEquals(want, got, 1e-6 * want, "n=" + n);
            assertEquals(Double.doubleToRawLongBits(got), Double.doubleToRawLongBits(BlockSums.sumOfSquares(g.clone())));
        }
    }

    @Test
    void sumOfSquaresOfAnOuterProductIsTheWrittenMatricesToAFloatRounding() {
        for (int[] shape : new int[][] {{1, 1}, {3, 17}, {17, 3}, {784, 256}, {1000, 1}}) {
            SplittableRandom r = new SplittableRandom(shape[0] * 31L + shape[1]);
            float[] left = new float[shape[0]];
            float[] right = new float[shape[1]];
            for (int i = 0; i < left.length; i++) {
                left[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < right.length; i++) {
                right[i] = (float) (r.nextGaussian() * 1e-3);
            }
            float[] written = new float[left.length * right.length];
            Elementwise.outerProducts(left, right, 0, written.length, written, 0);
            double want = BlockSums.sumOfSquares(written);
            assertEquals(want, BlockSums.sumOfSquaresOuter(left, right), 1e-6 * want, shape[0] + "x" + shape[1]);
            assertEquals(squaresInOrder(left) * squaresInOrder(right), BlockSums.sumOfSquaresOuter(left, right),
                    "the documented order, " + shape[0] + "x" + shape[1]);
        }
    }

    /** Σ x² in double in the order BlockSums.sumOfSquaresOuter documents: four partial sums, then the tail. */
    private static double squaresInOrder(float[] x) {
        double[] partial = new double[4];
        int whole = x.length / 4 * 4;
        for (int i = 0; i < whole; i++) {
            partial[i % 4] += (double) x[i] * x[i];
        }
        double total = (partial[0] + partial[1]) + (partial[2] + partial[3]);
        for (int i = whole; i < x.length; i++) {
            total += (double) x[i] * x[i];
        }
        return total;
    }

    /**
     * The documented order, element by element: blocks of 4096 from the first index, in each block 4·L float
     * partial sums (element q of the block into partial q mod 4·L, by fma for squares), added in double in
     * partial order; for a sum, the last partial block likewise as far as it holds whole groups of 4·L;
     * the tail in double.
     */
    private static double blockOrder(float[] a, float[] b, int from, int n, boolean squares) {
        int partials = 4 * Elementwise.RUN_MAX;
        double total = 0;
        int i = from;
        while (n - i >= (squares ? 4096 : partials)) {
            int size = Math.min(4096, (n - i) / partials * partials);
            float[] s = new float[partials];
            for (int q = 0; q < size; q++) {
                float v = b == null ? a[i + q] : a[i + q] - b[i + q];
                s[q % partials] = squares ? Math.fma(v, v, s[q % partials]) : s[q % partials] + v;
            }
            for (float p : s) {
                total += p;
            }
            i += size;
        }
        for (; i < n; i++) {
            double v = b == null ? a[i] : (double) a[i] - b[i];
            total += squares ? v * v : v;
        }
        return total;
    }

    @Test
    void blockSumsAddInTheirDocumentedOrderBitForBit() {
        for (int n : new int[] {0, 1, 3, 17, 69, 1000, 3877, 4096, 4097, 3 * 4096 + 100, 4096 + 200}) {
            SplittableRandom r = new SplittableRandom(31 + n);
            float[] a = new float[n];
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) r.nextGaussian();
                b[i] = (float) r.nextGaussian();
            }
            int from = Math.min(5, n);
            assertEquals(Double.doubleToRawLongBits(blockOrder(a, null, 0, n, true)),
                    Double.doubleToRawLongBits(BlockSums.sumOfSquares(a, n)), "squares, n=" + n);
            assertEquals(Double.doubleToRawLongBits(blockOrder(a, null, from, n, false)),
                    Double.doubleToRawLongBits(BlockSums.sum(a, from, n)), "sum from 5, n=" + n);
            assertEquals(Double.doubleToRawLongBits(blockOrder(a, b, 0, n, true)),
                    Double.doubleToRawLongBits(BlockSums.sumOfSquaredDifferences(a, b)), "differences, n=" + n);
        }
    }
}
