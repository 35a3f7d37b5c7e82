package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.epochal.kernel.GemmReference;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A Linear layer at batch 1 holds its weight gradient as input ⊗ output gradient until something reads it:
 * read, it is the GEMM's product bit for bit; a second backward before zeroGrad adds to it as the GEMM
 * would; zeroGrad drops it. Its input gradient is dy·Wᵀ in Dots' order.
 */
class DeferredOuterGradTest {
    @Test
    void aBatchOfOnesWeightGradientReadsAsTheProduct() {
        for (int[] shape : new int[][] {{1, 1}, {3, 17}, {17, 3}, {1000, 5}}) {
            int in = shape[0];
            int out = shape[1];
            Linear l = linear(in, out);
            float[] x1 = values(in, 1);
            float[] dy1 = values(out, 2);
            l.weight().zeroGrad();
            l.bias().zeroGrad();
            l.forward(new Tensor(x1, 1, in), true);
            l.backward(new Tensor(dy1, 1, out), false);
            assertTrue(l.weight().hasOuterGrad(), "held, not written");
            float[] want = new float[in * out];
            GemmReference.gemm(true, false, in, out, 1, x1, 0, in, dy1, 0, out, false, want, 0, out);
            assertArrayEquals(want, l.weight().grad(), in + "x" + out);
            assertFalse(l.weight().hasOuterGrad(), "written once read");

            // accumulate: a second sample before zeroGrad, the first's gradient still held
            l.weight().zeroGrad();
            l.forward(new Tensor(x1, 1, in), true);
            l.backward(new Tensor(dy1, 1, out), false);
            float[] x2 = values(in, 3);
            float[] dy2 = values(out, 4);
            l.forward(new Tensor(x2, 1, in), true);
            l.backward(new Tensor(dy2, 1, out), false);
            GemmReference.gemm(true, false, in, out, 1, x2, 0, in, dy2, 0, out, true, want, 0, out);
            assertArrayEquals(want, l.weight().grad(), "accumulated " + in + "x" + out);

            l.weight().zeroGrad();
            l.forward(new Tensor(x1, 1, in), true);
            l.backward(new Tensor(dy1, 1, out), false);
            l.weight().zeroGrad();
            assertFalse(l.weight().hasOuterGrad());
            assertArrayEquals(new float[in * out], l.weight().grad(), "zeroGrad drops a held gradient");
        }
    }

    /** The input gradient of one sample, dy·Wᵀ, runs along W's stored rows in Dots' order, and is the sum. */
    @Test
    void aBatchOfOnesInputGradientIsDyTimesWTransposed() {
        for (int[] shape : new int[][] {{1, 1}, {3, 17}, {17, 3}, {1000, 5}, {256, 128}, {9, 48}}) {
            int in = shape[0];
            int out = shape[1];
            Linear l = linear(in, out);
            float[] dy = values(out, 5);
            l.forward(new Tensor(values(in, 6), 1, in), true);
            float[] dx = l.backward(new Tensor(dy, 1, out), true).data();
            float[] wt = l.weight().data(); // stored [in, out]
            float[] want = new float[in];
            org.epochal.kernel.Dots.reference(1, in, out, dy, 0, out, wt, 0, out, false, want, 0, in);
            assertArrayEquals(want, dx, in + "x" + out);
            for (int i = 0; i < in; i++) {
                double sum = 0;
                double size = 0;
                for (int o = 0; o < out; o++) {
                    sum += (double) dy[o] * wt[i * out + o];
                    size += Math.abs((double) dy[o] * wt[i * out + o]);
                }
                org.junit.jupiter.api.Assertions.assertEquals(sum, dx[i], 1e-6 * size + 1e-30, "input " + i);
            }
        }
    }

    @Test
    void onlyAZeroMatrixGradientIsHeld() {
        Parameter bias = new Parameter("bias", 4);
        bias.zeroGrad();
        assertFalse(bias.deferOuterGrad(new float[4], 0, new float[1], 0), "a vector");
        Parameter w = Parameter.transposed("weight", 2, 3);
        w.zeroGrad();
        w.grad()[0] = 1f;
        assertFalse(w.deferOuterGrad(new float[3], 0, new float[2], 0), "a gradient holding a value");
        assertFalse(w.hasOuterGrad());
    }

    private static Linear linear(int in, int out) {
        Linear l = new Linear(out);
        l.build(0, new int[] {in});
        l.initialize(new Rng(7));
        return l;
    }

    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
