package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector selects equal their scalar expressions bit for bit, at odd sizes and offsets, with NaN and ±0. */
class ElementwiseTest {
    @Test
    void positiveMaskEqualsTheScalarSelect() {
        for (int n : new int[] {1, 3, 17, 1000}) {
            float[] x = values(n + 5, n);
            float[] dy = values(n + 5, n + 1);
            float[] dx = new float[n + 5];
            Elementwise.positiveMask(x, dy, dx, 2, 2 + n);
            for (int i = 0; i < n + 5; i++) {
                float want = i < 2 || i >= 2 + n ? 0f : x[i] > 0f ? dy[i] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dx[i]), "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void positiveOrScaledEqualsTheScalarSelect() {
        for (int n : new int[] {1, 3, 17, 1000}) {
            float[] x = values(n, n);
            float[] v = values(n, n + 7);
            float[] y = new float[n];
            Elementwise.positiveOrScaled(x, v, 0.01f, y, 0, n);
            for (int i = 0; i < n; i++) {
                float want = x[i] > 0f ? v[i] : v[i] * 0.01f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[i]), "n=" + n + " i=" + i);
            }
        }
    }

    /** Shapes [rows, cols] and element ranges of them: whole, and starting and ending inside rows. */
    private static final int[][] OUTER_CASES = {
        {1, 1, 0, 1}, {3, 17, 0, 51}, {3, 17, 5, 40}, {17, 3, 4, 50}, {5, 1000, 999, 4001}, {1000, 1, 3, 997},
        {7, 64, 0, 448}, {7, 64, 65, 130}, {7, 64, 16, 432}, {9, 32, 32, 256},
    };

    @Test
    void outerProductsEqualADepthOneGemm() {
        for (int[] c : OUTER_CASES) {
            int rows = c[0];
            int cols = c[1];
            float[] left = values(rows, rows);
            float[] right = values(cols, cols + 1);
            left[rows / 2] = -0f; // -0 times a positive is -0, stored as +0 by both
            right[0] = 0f;
            float[] gemm = new float[rows * cols];
            Gemm.gemm(Parallel.SEQUENTIAL, true, false, rows, cols, 1, left, 0, rows, right, 0, cols, false, gemm, 0, cols);
            float[] out = new float[c[3] - c[2] + 2];
            Elementwise.outerProducts(left, right, c[2], c[3], out, 1);
            for (int e = c[2]; e < c[3]; e++) {
                assertEquals(Float.floatToRawIntBits(gemm[e]), Float.floatToRawIntBits(out[1 + e - c[2]]),
                        java.util.Arrays.toString(c) + " e=" + e);
            }
            assertEquals(0, Float.floatToRawIntBits(out[0]), "nothing written before the range");
            assertEquals(0, Float.floatToRawIntBits(out[out.length - 1]), "nothing written after the range");
        }
    }

    /**
     * Adam from a gradient held as an outer product: the bits of Adam over the written gradient; in variant 3
     * the product carries a clipping coefficient, and the written gradient is scaled after it is written.
     */
    @Test
    void adamOuterEqualsAdamOverTheWrittenGradient() {
        for (int[] c : OUTER_CASES) {
            for (int variant = 0; variant < 4; variant++) {
                int n = c[0] * c[1];
                float scale = variant == 3 ? 0.3712f : 1f;
                float[] k = {0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, variant == 1 ? 0.01f : 0f,
                    variant == 2 ? 0.9999f : 1f, 1e-3f, 0.3f, scale};
                float[] p = values(n, 3);
                float[] m = values(n, 4);
                float[] v = values(n, 5);
                for (int i = 0; i < n; i++) {
                    v[i] = v[i] * v[i];
                }
                float[] p2 = p.clone();
                float[] m2 = m.clone();
                float[] v2 = v.clone();
                for (int step = 0; step < 3; step++) {
                    float[] left = values(c[0], 10 * step + c[0]);
                    float[] right = values(c[1], 10 * step + c[1] + 1);
                    float[] written = new float[n];
                    Elementwise.outerProducts(left, right, 0, n, written, 0);
                    for (int i = 0; i < n; i++) {
                        written[i] *= scale;
                    }
                    AdamUpdate.adamOuter(p, left, right, m, v, c[2], c[3], k);
                    AdamUpdate.adamScalar(p2, written, m2, v2, c[2], c[3], k);
                    String at = java.util.Arrays.toString(c) + " variant " + variant + " step " + step;
                    org.junit.jupiter.api.Assertions.assertArrayEquals(p2, p, at);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(m2, m, at);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(v2, v, at);
                }
            }
        }
    }

    @Test
    void anyPositiveFindsTheOnePositiveAnywhere() {
        for (int n : new int[] {1, 3, 17, 1000}) {
            float[] x = new float[n + 4];
            java.util.Arrays.fill(x, -1f);
            x[1] = Float.NaN;
            org.junit.jupiter.api.Assertions.assertFalse(Elementwise.anyPositive(x, 2, 2 + n), "n=" + n);
            for (int at = 2; at < 2 + n; at += Math.max(1, n / 7)) {
                x[at] = 0.5f;
                org.junit.jupiter.api.Assertions.assertTrue(Elementwise.anyPositive(x, 2, 2 + n), "n=" + n + " at " + at);
                x[at] = 0f;
                org.junit.jupiter.api.Assertions.assertFalse(Elementwise.anyPositive(x, 2, 2 + n), "zero is not positive");
            }
            x[0] = 1f;
            x[2 + n] = 1f;
            org.junit.jupiter.api.Assertions.assertFalse(Elementwise.anyPositive(x, 2, 2 + n), "outside the range");
        }
    }

    @Test
    void addRowsAndSquaresGivesThePlainLoopsBits() throws InterruptedException {
        // the vector loop runs once the warm-up has: before it, the plain loop alone
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.awaitWarmUp(300_000));
        for (int d : new int[] {1, 3, 17, 789}) {
            for (int rows : new int[] {1, 5, 64}) {
                SplittableRandom r = new SplittableRandom(d * 31L + rows);
                float[] x = new float[rows * d];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-20, 20)));
                }
                double[] sum = new double[d];
                double[] sq = new double[d];
                double[] plainSum = new double[d];
                double[] plainSq = new double[d];
                for (int i = 0; i < d; i++) { // a running total from an earlier batch
                    sum[i] = plainSum[i] = r.nextDouble();
                    sq[i] = plainSq[i] = r.nextDouble();
                }
                Elementwise.addRowsAndSquares(x, rows, d, sum, sq);
                for (int row = 0; row < rows; row++) {
                    for (int f = 0; f < d; f++) {
                        double a = x[row * d + f];
                        plainSum[f] += a;
                        plainSq[f] += a * a;
                    }
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(plainSum, sum, 0.0, "d=" + d + " rows=" + rows);
                org.junit.jupiter.api.Assertions.assertArrayEquals(plainSq, sq, 0.0, "d=" + d + " rows=" + rows);
            }
        }
    }

    @Test
    void addRowsGivesThePlainLoopsBits() throws InterruptedException {
        // the vector loop runs once the warm-up has: before it, the plain loop alone
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.awaitWarmUp(300_000));
        for (int cols : new int[] {1, 3, 17, 64, 80, 1000}) {
            for (int rows : new int[] {1, 5, 512}) {
                for (int skip : new int[] {0, 3}) { // rows from the start, and from row 3 (a second half)
                    float[] x = values((rows + skip) * cols, cols * 7L + rows);
                    float[] sum = values(cols, cols); // a gradient from an earlier product
                    float[] plain = sum.clone();
                    if (skip == 0) {
                        Elementwise.addRows(x, rows, cols, sum);
                    } else {
                        Elementwise.addRows(x, skip * cols, rows, cols, sum);
                    }
                    for (int row = skip; row < skip + rows; row++) {
                        for (int c = 0; c < cols; c++) {
                            plain[c] += x[row * cols + c];
                        }
                    }
                    for (int c = 0; c < cols; c++) { // the same bits (a NaN's payload is the hardware's)
                        assertEquals(Float.floatToIntBits(plain[c]), Float.floatToIntBits(sum[c]),
                                "cols=" + cols + " rows=" + rows + " skip=" + skip + " c=" + c);
                    }
                }
            }
        }
    }

    @Test
    void markPositiveMarksExactlyTheUnitsWithAPositiveOutput() throws InterruptedException {
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.awaitWarmUp(300_000));
        for (int units : new int[] {1, 3, 17, 1000}) {
            int rows = 7;
            float[] y = values(rows * units, units);
            for (int i = 0; i < y.length; i++) {
                y[i] -= 1.6f; // most units never positive in seven rows
            }
            float[] seen = new float[units];
            seen[0] = 1f; // marked by an earlier batch: stays marked
            Elementwise.markPositive(y, rows, units, seen);
            for (int u = 0; u < units; u++) {
                boolean any = u == 0;
                for (int row = 0; row < rows; row++) {
                    any |= y[row * units + u] > 0f;
                }
                assertEquals(any ? 1f : 0f, seen[u], "units=" + units + " u=" + u);
            }
        }
    }

    /** The rows from an offset on (a half of a batch): the same as the plain loop over those rows. */
    @Test
    void rowLoopsFromAnOffsetReadThoseRows() throws InterruptedException {
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.awaitWarmUp(300_000));
        for (int d : new int[] {1, 3, 17, 789}) {
            int skip = 3;
            int rows = 4;
            float[] x = values((skip + rows) * d, d + 11L);
            for (int i = 0; i < x.length; i++) {
                x[i] = Float.isFinite(x[i]) ? x[i] - 0.5f : 1f;
            }
            double[] sum = new double[d];
            double[] sq = new double[d];
            double[] plainSum = new double[d];
            double[] plainSq = new double[d];
            float[] seen = new float[d];
            float[] plainSeen = new float[d];
            Elementwise.addRowsAndSquares(x, skip * d, rows, d, sum, sq);
            Elementwise.markPositive(x, skip * d, rows, d, seen);
            for (int row = skip; row < skip + rows; row++) {
                for (int f = 0; f < d; f++) {
                    double a = x[row * d + f];
                    plainSum[f] += a;
                    plainSq[f] += a * a;
                    plainSeen[f] = x[row * d + f] > 0f ? 1f : plainSeen[f];
                }
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(plainSum, sum, 0.0, "d=" + d);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plainSq, sq, 0.0, "d=" + d);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plainSeen, seen, 0f, "d=" + d);
        }
    }

    /** Random signs, with NaN, +0, −0, subnormals and infinities sprinkled in. */
    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] special = {Float.NaN, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(5) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
        }
        return v;
    }
}
