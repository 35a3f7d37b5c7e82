package org.epochal.layer;

import org.epochal.rng.Rng;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Convolutions whose kernel overhangs the input through padding, with strides: finite differences. */
class ConvEdgeTest {
    @ParameterizedTest
    @CsvSource({"1,1,3,1,1", "1,2,3,2,1", "2,3,5,2,2", "3,1,4,3,2", "5,4,2,2,0", "2,2,3,3,1",
            // output rows of 8 to 16: im2col and col2im take their one-vector path
            "13,13,3,1,0", "12,12,3,1,1", "9,9,2,1,0",
            // few weights and long sums: the weight gradient as dot products (kernel.Dots)
            "20,20,3,1,0", "17,18,2,1,1"})
    void gradientsAtEveryPaddingAndStride(int h, int w, int kernel, int stride, int padding) {
        Conv2d conv = new Conv2d(2, kernel, stride, padding);
        int cols = 2 * ((h + 2 * padding - kernel) / stride + 1) * ((w + 2 * padding - kernel) / stride + 1);
        org.junit.jupiter.api.Assertions.assertEquals(h >= 17, org.epochal.kernel.Dots.suits(2, 2 * kernel * kernel, cols),
                "which path the weight gradient takes");
        conv.build(0, new int[] {2, h, w});
        conv.initialize(new Rng(3));
        GradientCheck.standard().check(conv, GradientCheck.random(5, 1.0, 2, 2, h, w), true);
    }

    @ParameterizedTest
    @CsvSource({"13,13,3,1,0", "12,12,3,1,1", "9,9,2,1,0", "28,28,3,1,0", "7,7,3,2,1"})
    void forwardEqualsADirectConvolution(int h, int w, int kernel, int stride, int padding) {
        int c = 3;
        int out = 4;
        Conv2d conv = new Conv2d(out, kernel, stride, padding);
        conv.build(0, new int[] {c, h, w});
        conv.initialize(new Rng(3));
        org.epochal.tensor.Tensor x = GradientCheck.random(7, 1.0, 3, c, h, w);
        float[] y = conv.forward(x, false).data();
        int oh = (h + 2 * padding - kernel) / stride + 1;
        int ow = (w + 2 * padding - kernel) / stride + 1;
        float[] wd = conv.weight().data();
        float[] b = conv.bias().data();
        for (int s = 0; s < 3; s++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float acc = b[o];
                        for (int ch = 0; ch < c; ch++) {
                            for (int ki = 0; ki < kernel; ki++) {
                                for (int kj = 0; kj < kernel; kj++) {
                                    int yy = i * stride - padding + ki;
                                    int xx = j * stride - padding + kj;
                                    float v = yy < 0 || yy >= h || xx < 0 || xx >= w ? 0f
                                            : x.data()[((s * c + ch) * h + yy) * w + xx];
                                    acc = Math.fma(wd[((o * c + ch) * kernel + ki) * kernel + kj], v, acc);
                                }
                            }
                        }
                        org.junit.jupiter.api.Assertions.assertEquals(acc, y[((s * out + o) * oh + i) * ow + j], 1e-6f);
                    }
                }
            }
        }
    }
}
