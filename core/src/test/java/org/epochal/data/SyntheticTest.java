package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;

/** Generated data: same spec, same bits; the promised structure; refused parameters. */
class SyntheticTest {
    @Test
    void blobsAreDeterministicBalancedAndClustered() {
        SourceSpec.Synthetic spec = new SourceSpec.Synthetic("blobs", 300, 4, 3, 42);
        Dataset a = DataSources.load(spec, TargetKind.CLASS_INDEX);
        Dataset b = DataSources.load(spec, TargetKind.CLASS_INDEX);
        assertArrayEquals(a.features(), b.features());
        assertArrayEquals(a.targets(), b.targets());
        assertArrayEquals(new int[] {4}, a.sampleShape());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(i % 3, a.targets()[i]);
        }
        Dataset other = DataSources.load(new SourceSpec.Synthetic("blobs", 300, 4, 3, 43), TargetKind.CLASS_INDEX);
        assertFalse(Arrays.equals(a.features(), other.features()));

        // Each cluster's spread is about std 1 around its own mean, and the means lie inside [-5, 5].
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                double squares = 0;
                for (int i = c; i < a.size(); i += 3) {
                    sum += a.features()[i * 4 + j];
                }
                double mean = sum / 100;
                for (int i = c; i < a.size(); i += 3) {
                    double d = a.features()[i * 4 + j] - mean;
                    squares += d * d;
                }
                assertTrue(Math.abs(mean) < 5.4, "cluster mean " + mean);
                assertEquals(1.0, Math.sqrt(squares / 100), 0.25);
            }
        }
        // More samples from the same seed keep the same problem: the first points are identical.
        Dataset more = DataSources.load(new SourceSpec.Synthetic("blobs", 600, 4, 3, 42), TargetKind.VALUES);
        assertArrayEquals(a.features(), Arrays.copyOf(more.features(), a.features().length));
    }

    @Test
    void regressionIsLinearPlusSmallNoise() {
        SourceSpec.Synthetic spec = new SourceSpec.Synthetic("regression", 2000, 3, 0, 7);
        Dataset data = DataSources.load(spec, TargetKind.VALUES);
        assertArrayEquals(data.targets(), DataSources.load(spec, TargetKind.VALUES).targets());
        assertEquals(1, data.targetWidth());
        // Least squares on [x, 1] recovers w and b; the residual std is the noise std 0.1.
        double[][] ata = new double[4][4];
        double[] aty = new double[4];
        for (int i = 0; i < data.size(); i++) {
            double[] row = {data.features()[i * 3], data.features()[i * 3 + 1], data.features()[i * 3 + 2], 1};
            for (int p = 0; p < 4; p++) {
                aty[p] += row[p] * data.targets()[i];
                for (int q = 0; q < 4; q++) {
                    ata[p][q] += row[p] * row[q];
                }
            }
        }
        double[] coef = solve(ata, aty);
        double squares = 0;
        for (int i = 0; i < data.size(); i++) {
            double fit = coef[3];
            for (int j = 0; j < 3; j++) {
                fit += coef[j] * data.features()[i * 3 + j];
            }
            squares += (data.targets()[i] - fit) * (data.targets()[i] - fit);
        }
        assertEquals(0.1, Math.sqrt(squares / data.size()), 0.01);
    }

    @Test
    void refusals() {
        assertEquals("synthetic blobs: samples must be at least 1, got 0", error("blobs", 0, 2, 3, TargetKind.CLASS_INDEX));
        assertEquals("synthetic blobs: features must be at least 1, got 0", error("blobs", 10, 0, 3, TargetKind.CLASS_INDEX));
        assertEquals("synthetic blobs: classes must be at least 2, got 1", error("blobs", 10, 2, 1, TargetKind.CLASS_INDEX));
        assertEquals("synthetic kind 'moons' does not exist; known: blobs, regression",
                error("moons", 10, 2, 2, TargetKind.CLASS_INDEX));
        assertTrue(error("regression", 10, 2, 0, TargetKind.CLASS_INDEX)
                .startsWith("synthetic regression: its targets are real numbers, not classes"));
    }

    private static String error(String kind, int samples, int features, int classes, TargetKind targetKind) {
        return assertThrows(BadInputException.class, () -> DataSources.load(
                new SourceSpec.Synthetic(kind, samples, features, classes, 1), targetKind)).getMessage();
    }

    /** Gaussian elimination with partial pivoting, for the small normal equations above. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) {
                if (Math.abs(a[i][k]) > Math.abs(a[p][k])) {
                    p = i;
                }
            }
            double[] rowSwap = a[k];
            a[k] = a[p];
            a[p] = rowSwap;
            double bSwap = b[k];
            b[k] = b[p];
            b[p] = bSwap;
            for (int i = k + 1; i < n; i++) {
                double f = a[i][k] / a[k][k];
                for (int j = k; j < n; j++) {
                    a[i][j] -= f * a[k][j];
                }
                b[i] -= f * b[k];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int j = i + 1; j < n; j++) {
                s -= a[i][j] * x[j];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
