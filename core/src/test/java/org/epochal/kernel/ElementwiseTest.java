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
