package org.epochal.layer;

import org.epochal.rng.Rng;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Convolutions whose kernel overhangs the input through padding, with strides: finite differences. */
class ConvEdgeTest {
    @ParameterizedTest
    @CsvSource({"1,1,3,1,1", "1,2,3,2,1", "2,3,5,2,2", "3,1,4,3,2", "5,4,2,2,0", "2,2,3,3,1"})
    void gradientsAtEveryPaddingAndStride(int h, int w, int kernel, int stride, int padding) {
        Conv2d conv = new Conv2d(2, kernel, stride, padding);
        conv.build(0, new int[] {2, h, w});
        conv.initialize(new Rng(3));
        GradientCheck.standard().check(conv, GradientCheck.random(5, 1.0, 2, 2, h, w), true);
    }
}
