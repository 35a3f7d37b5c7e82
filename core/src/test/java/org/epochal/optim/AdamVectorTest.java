package org.epochal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.epochal.kernel.AdamUpdate;
import org.epochal.layer.Parameter;
import org.junit.jupiter.api.Test;

/**
 * The vector Adam update gives the same bits as its element-by-element form, at odd sizes too, and stays
 * within a few ulps of PyTorch's formula (which divides by √(1 − β2ᵗ) where Epochal multiplies by its
 * reciprocal).
 */
class AdamVectorTest {
    @Test
    void vectorStepsEqualScalarSteps() {
        for (int n : new int[] {1, 3, 17, 1000, 70_000}) {
            for (int variant = 0; variant < 3; variant++) {
                Parameter a = parameter(n);
                Parameter b = parameter(n);
                Adam fast = adam(variant, a);
                Adam plain = adam(variant, b);
                float[] m = new float[n];
                float[] v = new float[n];
                SplittableRandom r = new SplittableRandom(n * 3L + variant);
                for (int step = 0; step < 5; step++) {
                    for (int i = 0; i < n; i++) {
                        float g = (float) (r.nextGaussian() * (i % 7 == 0 ? 1e-6 : 0.1));
                        a.grad()[i] = g;
                        b.grad()[i] = g;
                    }
                    fast.step();
                    plain.steps++;
                    plain.beginStep();
                    AdamUpdate.adamScalar(b.data(), b.grad(), m, v, 0, n, plain.factors());
                    assertArrayEquals(b.data(), a.data(), "n=" + n + " variant=" + variant + " step=" + step);
                }
            }
        }
    }

    /**
     * Weights whose gradient stops: their first moments decay through the subnormal range, where they are
     * stored as zero; vector and scalar still agree bit for bit, and the weights end exactly where the
     * formula without flushing puts them (the dropped steps are far below a weight's last bit).
     */
    @Test
    void subnormalMomentsAreStoredAsZeroAndMoveNoWeight() {
        for (int n : new int[] {17, 1000}) {
            Parameter a = parameter(n);
            Parameter b = parameter(n);
            float[] ref = a.data().clone();
            float[] torch = a.data().clone();
            float[] torchM = new float[n];
            float[] torchV = new float[n];
            Adam fast = adam(0, a);
            Adam plain = adam(0, b);
            float[] m = new float[n];
            float[] v = new float[n];
            float[] refM = new float[n];
            float[] refV = new float[n];
            SplittableRandom r = new SplittableRandom(n);
            int sawSubnormal = 0;
            for (int step = 1; step <= 1200; step++) {
                for (int i = 0; i < n; i++) {
                    // every third weight's gradient stops after step 5; the others keep a small one
                    float g = step <= 5 || i % 3 != 0 ? (float) (r.nextGaussian() * 1e-3) : 0f;
                    a.grad()[i] = g;
                    b.grad()[i] = g;
                }
                fast.step();
                plain.steps++;
                plain.beginStep();
                float[] k = plain.factors();
                AdamUpdate.adamScalar(b.data(), b.grad(), m, v, 0, n, k);
                assertArrayEquals(b.data(), a.data(), "n=" + n + " step=" + step);
                assertArrayEquals(m, fast.state().get("exp_avg.0"), "n=" + n + " step=" + step);
                assertArrayEquals(v, fast.state().get("exp_avg_sq.0"), "n=" + n + " step=" + step);
                for (int i = 0; i < n; i++) {
                    // PyTorch's formula, no flushing
                    float g = a.grad()[i];
                    refM[i] = refM[i] * k[AdamUpdate.BETA1] + k[AdamUpdate.ONE_MINUS_BETA1] * g;
                    refV[i] = refV[i] * k[AdamUpdate.BETA2] + k[AdamUpdate.ONE_MINUS_BETA2] * (g * g);
                    float denom = (float) Math.sqrt(refV[i]) * k[AdamUpdate.INV_BC2_SQRT] + k[AdamUpdate.EPS];
                    ref[i] = ref[i] - k[AdamUpdate.STEP_SIZE] * (refM[i] / denom);
                    // PyTorch's: √v divided by √(1 − β2ᵗ)
                    torchM[i] = torchM[i] * k[AdamUpdate.BETA1] + k[AdamUpdate.ONE_MINUS_BETA1] * g;
                    torchV[i] = torchV[i] * k[AdamUpdate.BETA2] + k[AdamUpdate.ONE_MINUS_BETA2] * (g * g);
                    float bc2 = (float) Math.sqrt(1 - Math.pow(0.999, step));
                    float torchDenom = (float) Math.sqrt(torchV[i]) / bc2 + k[AdamUpdate.EPS];
                    torch[i] = torch[i] - k[AdamUpdate.STEP_SIZE] * (torchM[i] / torchDenom);
                    sawSubnormal += refM[i] != 0f && Math.abs(refM[i]) < Float.MIN_NORMAL ? 1 : 0;
                    assertTrue(m[i] == 0f || Math.abs(m[i]) >= Float.MIN_NORMAL, "subnormal m at " + i);
                }
            }
            assertTrue(sawSubnormal > n / 3 * 100, "the test drives moments through the subnormal range");
            assertArrayEquals(ref, a.data(), "n=" + n);
            for (int i = 0; i < n; i++) {
                // a step's quotient an ulp apart can round the weight to the neighbouring float: a random walk
                // of weight ulps (6e-8 near 1), 1.2e-6 seen after 1,200 steps; a wrong factor moves ≫ 1e-5
                assertTrue(Math.abs(a.data()[i] - torch[i]) <= 1e-5 * Math.max(1, Math.abs(torch[i])),
                        "n=" + n + " weight " + i + ": " + a.data()[i] + " against PyTorch's " + torch[i]);
            }
        }
    }

    @Test
    void anUpdateSplitAcrossThreadsGivesTheSameBits() {
        int n = 200_704 + 5; // the MLP's first weight, in seven chunks and a partial one
        Parameter a = parameter(n);
        Parameter b = parameter(n);
        Adam split = adam(0, a);
        Adam whole = adam(0, b);
        try (org.epochal.kernel.Parallel parallel = new org.epochal.kernel.Parallel(2)) {
            split.setParallel(parallel, Optimizer.Split.CHUNKS);
            whole.setParallel(parallel, Optimizer.Split.NONE);
            SplittableRandom r = new SplittableRandom(5);
            for (int step = 0; step < 3; step++) {
                for (int i = 0; i < n; i++) {
                    a.grad()[i] = b.grad()[i] = (float) (r.nextGaussian() * 0.1);
                }
                split.step();
                whole.step();
                assertArrayEquals(b.data(), a.data(), "step " + step);
            }
        }
    }

    /**
     * Adam over a gradient held as an outer product, the matrix stored in panels: any range of whole vectors
     * (starting inside a panel's row, ending in another panel) gives the bits of the loop over the written
     * gradient.
     */
    @Test
    void panelsFromAnOuterProductEqualTheWrittenGradient() {
        int rows = 7;
        int width = 32;
        int cols = 3 * width;
        float[] left = new float[rows];
        float[] right = new float[cols];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < rows; i++) {
            left[i] = (float) r.nextGaussian();
        }
        for (int c = 0; c < cols; c++) {
            right[c] = (float) (r.nextGaussian() * 0.1);
        }
        float[] grad = new float[rows * cols];
        for (int c = 0; c < cols; c++) {
            for (int i = 0; i < rows; i++) {
                grad[(c / width * rows + i) * width + c % width] = Math.fma(left[i], right[c], 0f);
            }
        }
        float[] k = {0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 0.01f, 1f, 1e-3f, 1.2f, 1f};
        int lanes = AdamUpdate.LANES;
        for (int cut : new int[] {0, lanes, 3 * lanes, 7 * width, 7 * width + lanes, rows * cols - lanes}) {
            Parameter a = parameter(rows * cols);
            Parameter b = parameter(rows * cols);
            float[] ma = new float[rows * cols];
            float[] va = new float[rows * cols];
            float[] mb = new float[rows * cols];
            float[] vb = new float[rows * cols];
            for (int step = 0; step < 3; step++) {
                AdamUpdate.adamOuterPanels(a.data(), left, right, ma, va, width, 0, cut, k);
                AdamUpdate.adamOuterPanels(a.data(), left, right, ma, va, width, cut, rows * cols, k);
                AdamUpdate.adam(b.data(), grad, mb, vb, 0, rows * cols, k);
                assertArrayEquals(b.data(), a.data(), "cut at " + cut + ", step " + step);
                assertArrayEquals(vb, va, "cut at " + cut + ", step " + step);
            }
        }
    }

    private static Adam adam(int variant, Parameter p) {
        return switch (variant) {
            case 0 -> Adam.adam(List.of(p), 1e-3);
            case 1 -> new Adam(List.of(p), 3e-3, 0.8, 0.99, 1e-6, 0.05, false);
            default -> Adam.adamw(List.of(p), 1e-2);
        };
    }

    private static Parameter parameter(int n) {
        Parameter p = new Parameter("w", n);
        SplittableRandom r = new SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            p.data()[i] = (float) r.nextGaussian();
        }
        return p;
    }
}
