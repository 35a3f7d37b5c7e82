package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.kernel.Dots;
import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * A Linear weight stored by unit ([out, in], Parameter#storeInShapeOrder: a batch of one's first layer with
 * Adam) keeps its values, passes the finite-difference check, gives the row-by-row layout's outer-product
 * gradient bit for bit and its outputs within float rounding, and the same bits on any number of threads.
 */
class ByUnitLayoutTest {
    @Test
    void storingInShapeOrderKeepsEveryValue() {
        Parameter w = Parameter.transposed("weight", 70, 5); // stored [5, 70]
        float[] values = GradientCheck.random(1, 1.0, w.size()).data();
        w.storeShapeOrder(values, w.data());
        float[] data = w.data();
        w.storeInShapeOrder();
        assertFalse(w.storedTransposed());
        assertSame(data, w.data(), "the same array, its values moved");
        assertArrayEquals(values, w.data());
        assertArrayEquals(values, w.inShapeOrder(w.data()));
        assertThrows(IllegalStateException.class, w::storeInShapeOrder, "already in shape order");
        Parameter panels = Parameter.transposed("weight", 128, 5);
        panels.storeInPanels(64);
        assertThrows(IllegalStateException.class, panels::storeInShapeOrder);
    }

    @Test
    void aLinearLayerByUnitPassesTheGradientCheck() {
        for (int n : new int[] {1, 3}) {
            Sequential model = new Sequential(new int[] {17}, new Linear(5));
            model.initialize(4);
            Linear layer = (Linear) model.layers().get(0);
            assertTrue(layer.storeWeightByUnit(0));
            GradientCheck.standard().check(layer, GradientCheck.random(30 + n, 1.0, n, 17), true);
        }
    }

    @Test
    void aLinearLayerByUnitAgreesWithRowByRowAndGivesTheSameBitsOnAnyThreads() {
        float[][] first = new float[4][];
        for (int threads : new int[] {1, 2, 3}) {
            for (int n : new int[] {1, 3}) {
                Sequential a = new Sequential(new int[] {37}, new Linear(48));
                Sequential b = new Sequential(new int[] {37}, new Linear(48));
                a.initialize(9);
                b.initialize(9);
                Linear byUnit = (Linear) a.layers().get(0);
                Linear plain = (Linear) b.layers().get(0);
                assertFalse(byUnit.storeWeightByUnit(37 * 48 + 1), "below the size asked for");
                assertTrue(byUnit.storeWeightByUnit(0));
                try (Parallel parallel = new Parallel(threads)) {
                    a.setParallel(parallel);
                    Tensor x = GradientCheck.random(10 + n, 1.0, n, 37);
                    Tensor dy = GradientCheck.random(20 + n, 1.0, n, 48);
                    a.zeroGrad();
                    b.zeroGrad();
                    String at = threads + " threads, batch " + n;
                    float[] y = byUnit.forward(x, true).data().clone();
                    assertClose(plain.forward(x, true).data(), y, at);
                    if (n == 1) { // the bias, then the dot products in Dots' order
                        float[] expected = byUnit.bias().data().clone();
                        Dots.reference(1, 48, 37, x.data(), 0, 37, byUnit.weight().data(), 0, 37, true, expected, 0, 48);
                        assertArrayEquals(expected, y, at);
                    }
                    float[] dx = byUnit.backward(dy, true).data().clone();
                    assertClose(plain.backward(dy, true).data(), dx, at);
                    Parameter wa = byUnit.weight();
                    Parameter wb = plain.weight();
                    float[] grad = wa.inShapeOrder(wa.grad());
                    if (n == 1) {
                        assertArrayEquals(wb.inShapeOrder(wb.grad()), grad, "dy ⊗ x: " + at);
                    } else {
                        assertClose(wb.inShapeOrder(wb.grad()), grad, at);
                    }
                    assertArrayEquals(plain.bias().grad(), byUnit.bias().grad(), at);
                    int slot = n == 1 ? 0 : 2;
                    if (threads == 1) {
                        first[slot] = y;
                        first[slot + 1] = concat(dx, grad);
                    } else {
                        assertArrayEquals(first[slot], y, at);
                        assertArrayEquals(first[slot + 1], concat(dx, grad), at);
                    }
                }
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String at) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 * Math.max(1, Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                throw new AssertionError(at + ": element " + i + ": " + actual[i] + " against " + expected[i]);
            }
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
