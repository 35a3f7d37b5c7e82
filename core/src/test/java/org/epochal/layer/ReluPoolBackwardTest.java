package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sequential back-propagates a ReLU followed by max pooling in the pooling layer's pass; the result is the
 * same bits as the two layers' own backward passes one after the other, for even and odd planes
 * (uncovered rows and columns), overlapping windows, NaN, ±0 and both thread counts.
 */
class ReluPoolBackwardTest {
    @ParameterizedTest
    @CsvSource({"2,2,12,1", "2,2,13,2", "3,2,11,1", "3,2,11,2", "2,1,7,2"})
    void theFusedPassGivesTheSeparatePassesBits(int kernel, int stride, int side, int threads) {
        int batch = 5;
        try (Parallel parallel = new Parallel(threads)) {
            Sequential model = new Sequential(new int[] {2, side, side},
                    new Conv2d(3, 3, 1, 1), new ReLU(), new MaxPool2d(kernel, stride), new Flatten(), new Linear(4));
            model.initialize(7);
            model.setParallel(parallel);
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

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
