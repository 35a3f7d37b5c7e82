package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sequential runs a ReLU followed by max pooling in the pooling layer's passes. Backward: the same bits as
 * the two layers' own backward passes one after the other, for even and odd planes (uncovered rows and
 * columns), overlapping windows, NaN, ±0 and both thread counts. Forward: the ReLU passes its input on and
 * the pooling rectifies its maxima; the pooled output is the same bits as the two layers' own forward passes,
 * and the ReLU's output, computed when asked for, the same as its own pass's; for the vector 2×2 path (planes
 * 8 to 16 wide), the gathered 2×2 path, the general scan, NaN, ±0, and both thread counts.
 */
class ReluPoolTest {
    @ParameterizedTest
    @CsvSource({"2,2,12,1", "2,2,13,2", "3,2,11,1", "3,2,11,2", "2,1,7,2"})
    void theFusedPassGivesTheSeparatePassesBits(int kernel, int stride, int side, int threads) {
        int batch = 5;
        try (Parallel parallel = new Parallel(threads)) {
            Sequential model = model(kernel, stride, side, parallel);
            Tensor x = GradientCheck.random(3, 1.0, batch, 2, side, side);
            x.data()[5] = Float.NaN; // a NaN through the convolution into a whole window of the first plane
            x.data()[40] = -0f;
            Tensor out = model.forward(x, true);
            Tensor dy = GradientCheck.random(4, 1.0, out.batch(), out.sampleSize());
            dy.data()[1] = -0f;

            model.zeroGrad();
            model.backward(dy);
            float[] fused = model.layers().get(0).params().get(0).grad().clone();
            float[] fusedBias = model.layers().get(0).params().get(1).grad().clone();

            model.zeroGrad();
            Tensor g = dy;
            for (int i = 4; i >= 1; i--) {
                g = model.layers().get(i).backward(g, true);
            }
            model.layers().get(0).backward(g, false);
            float[] separate = model.layers().get(0).params().get(0).grad();
            float[] separateBias = model.layers().get(0).params().get(1).grad();

            assertEquals(separate.length, fused.length);
            assertArrayEquals(bits(separate), bits(fused), "conv weight gradient");
            assertArrayEquals(bits(separateBias), bits(fusedBias), "conv bias gradient");
        }
    }

    @ParameterizedTest
    @CsvSource({"2,2,18,1", "2,2,18,2", "2,2,13,2", "3,2,11,1", "3,2,11,2", "2,1,7,2"})
    void theDeferredReluGivesTheSeparatePassesBits(int kernel, int stride, int side, int threads) {
        int batch = 5;
        try (Parallel parallel = new Parallel(threads)) {
            Sequential model = model(kernel, stride, side, parallel);
            ReLU ownRelu = new ReLU();
            MaxPool2d ownPool = new MaxPool2d(kernel, stride);
            int[] convShape = model.layers().get(0).outputShape();
            ownPool.build(2, ownRelu.build(1, convShape));
            ownRelu.setParallel(parallel);
            ownPool.setParallel(parallel);
            for (int round = 0; round < 2; round++) {
                Tensor x = GradientCheck.random(3 + round, 1.0, batch, 2, side, side);
                x.data()[5] = Float.NaN; // a NaN through the convolution into windows of the first planes
                x.data()[40] = -0f;
                model.forward(x, true);
                Tensor conv = model.layers().get(0).lastOutput();
                conv.data()[7] = -0f; // a negative zero and an all-zero window where the pooling reads
                conv.data()[side * side + 2] = 0f;
                conv.data()[side * side + 3] = -0f;
                Tensor pooled = model.layers().get(2).forward(conv, true); // again, on the edited input
                Tensor ownRelued = ownRelu.forward(conv, true);
                Tensor ownPooled = ownPool.forward(ownRelued, true);
                assertArrayEquals(bits(ownPooled.data()), bits(pooled.data()), "pooled, round " + round);
                model.layers().get(1).forward(conv, true);
                assertArrayEquals(bits(ownRelued.data()), bits(model.layers().get(1).lastOutput().data()),
                        "the ReLU's output, computed when asked for, round " + round);
                assertSame(conv, ((ReLU) model.layers().get(1)).firingSource());
            }
        }
    }

    /** conv 3×3 (padding 1) → ReLU → max pooling → flatten → linear, on 2 planes of side × side. */
    private static Sequential model(int kernel, int stride, int side, Parallel parallel) {
        Sequential model = new Sequential(new int[] {2, side, side},
                new Conv2d(3, 3, 1, 1), new ReLU(), new MaxPool2d(kernel, stride), new Flatten(), new Linear(4));
        model.initialize(7);
        model.setParallel(parallel);
        return model;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
