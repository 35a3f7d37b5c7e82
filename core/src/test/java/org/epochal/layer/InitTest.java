package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.init.Init;
import org.epochal.rng.Rng;
import org.junit.jupiter.api.Test;

/** Weight distributions match PyTorch's: bounds and standard deviations, with fans as torch.nn.init computes. */
class InitTest {
    private static double[] stats(float[] w) {
        double sum = 0;
        double sq = 0;
        double max = 0;
        for (float v : w) {
            sum += v;
            sq += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        double mean = sum / w.length;
        return new double[] {mean, Math.sqrt(sq / w.length - mean * mean), max};
    }

    @Test
    void linearDefaultIsUniformWithBoundOneOverSqrtFanIn() {
        Linear l = new Linear(300);
        l.build(0, new int[] {400});
        l.initialize(new Rng(1));
        double bound = 1 / Math.sqrt(400);
        double[] s = stats(l.weight().data());
        assertTrue(s[2] <= bound && s[2] > 0.99 * bound, "max " + s[2]);
        assertEquals(bound / Math.sqrt(3), s[1], 0.01 * bound); // std of U(−b, b) is b/√3
        double[] b = stats(l.bias().data());
        assertTrue(b[2] <= bound && b[2] > 0.9 * bound);
    }

    @Test
    void convDefaultUsesChannelsTimesKernelAsFanIn() {
        Conv2d c = new Conv2d(64, 3, 1, 0);
        c.build(0, new int[] {32, 8, 8});
        c.initialize(new Rng(1));
        double bound = 1 / Math.sqrt(32 * 9);
        assertEquals(bound / Math.sqrt(3), stats(c.weight().data())[1], 0.02 * bound);
    }

    @Test
    void kaimingAndXavierStandardDeviations() {
        int fanIn = 500;
        int fanOut = 200;
        assertStd(Init.KAIMING_NORMAL, fanIn, fanOut, Math.sqrt(2.0 / fanIn));
        assertStd(Init.KAIMING_UNIFORM, fanIn, fanOut, Math.sqrt(2.0 / fanIn)); // bound √(6/fanIn), std bound/√3
        assertStd(Init.XAVIER_NORMAL, fanIn, fanOut, Math.sqrt(2.0 / (fanIn + fanOut)));
        assertStd(Init.XAVIER_UNIFORM, fanIn, fanOut, Math.sqrt(2.0 / (fanIn + fanOut)));
        assertStd(Init.normal(0.05), fanIn, fanOut, 0.05);
        assertStd(Init.uniform(-0.3, 0.3), fanIn, fanOut, 0.3 / Math.sqrt(3));
    }

    private static void assertStd(Init init, int fanIn, int fanOut, double std) {
        float[] w = new float[fanIn * fanOut];
        init.fill(w, w.length, fanIn, fanOut, null, new Rng(3));
        double[] s = stats(w);
        assertEquals(0, s[0], 0.01 * std, init + " mean");
        assertEquals(std, s[1], 0.01 * std, init + " std");
    }

    @Test
    void linearWeightsAreDrawnInPyTorchsOrderWhateverTheirStorage() {
        // W is stored [in, out], but the generator fills it row by row of [out, in], as before the change
        Linear l = new Linear(5);
        l.build(0, new int[] {3});
        l.initialize(new Rng(11));
        float[] expected = new float[15];
        Init.pytorchLinearDefault(3).fill(expected, 15, 3, 5, null, new Rng(11));
        Parameter w = l.weight();
        assertArrayEquals(expected, w.inShapeOrder(w.data()));
        assertEquals(expected[1], w.data()[5], "[out 0, in 1] is stored at [in 1, out 0]");
    }

    @Test
    void constantsAndChosenInitOverrideTheDefault() {
        Linear l = new Linear(4);
        l.setInit(Init.constant(0.5), Init.ZEROS);
        l.build(0, new int[] {3});
        l.initialize(new Rng(1));
        for (float v : l.weight().data()) {
            assertEquals(0.5f, v);
        }
        for (float v : l.bias().data()) {
            assertEquals(0f, v);
        }
        BatchNorm bn = new BatchNorm();
        bn.build(1, new int[] {4});
        bn.initialize(new Rng(1));
        assertEquals(1f, bn.weight().data()[2]);
        assertEquals(0f, bn.bias().data()[2]);
        assertEquals(1f, bn.runningVar().data()[2]);
    }
}
