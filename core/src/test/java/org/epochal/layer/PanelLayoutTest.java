package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * A weight stored in panels (Parameter#storeInPanels, a batch of one's layout on several threads) keeps its
 * values in PyTorch's order, writes an outer-product gradient as the row-by-row layout does, and a Linear
 * layer computes the same bits with it, on any number of threads.
 */
class PanelLayoutTest {
    @Test
    void storingInPanelsKeepsEveryValueInShapeOrder() {
        Parameter w = Parameter.transposed("weight", 192, 5); // stored [5, 192]: three panels of 64
        float[] values = GradientCheck.random(1, 1.0, w.size()).data();
        w.storeShapeOrder(values, w.data());
        float[] grad = GradientCheck.random(2, 1.0, w.size()).data();
        System.arraycopy(grad, 0, w.grad(), 0, grad.length);
        float[] gradInShape = w.inShapeOrder(w.grad());

        w.storeInPanels(64);
        assertEquals(64, w.panelWidth());
        assertArrayEquals(values, w.inShapeOrder(w.data()));
        assertArrayEquals(gradInShape, w.inShapeOrder(w.grad()));
        // stored (r, c) = (input 1, output 70): panel 1, row 1, column 6 of the panel
        assertEquals(values[70 * 5 + 1], w.data()[(1 * 5 + 1) * 64 + 6]);
        float[] again = new float[w.size()];
        w.storeShapeOrder(values, again);
        assertArrayEquals(w.data(), again);

        assertThrows(IllegalStateException.class, () -> w.storeInPanels(64), "already in panels");
        assertThrows(IllegalStateException.class, () -> Parameter.transposed("w", 100, 5).storeInPanels(64));
        assertThrows(IllegalStateException.class, () -> new Parameter("w", 128, 5).storeInPanels(64));
    }

    @Test
    void anOuterProductGradientIsWrittenInPanelsAsRowByRow() {
        Parameter panels = Parameter.transposed("weight", 128, 7);
        Parameter plain = Parameter.transposed("weight", 128, 7);
        panels.storeInPanels(64);
        float[] x = GradientCheck.random(3, 1.0, 7).data();
        float[] dy = GradientCheck.random(4, 1.0, 128).data();
        for (Parameter p : new Parameter[] {panels, plain}) {
            p.zeroGrad();
            assertTrue(p.deferOuterGrad(x, 0, dy, 0));
        }
        assertArrayEquals(plain.inShapeOrder(plain.grad()), panels.inShapeOrder(panels.grad()));
    }

    @Test
    void aLinearLayerInPanelsGivesTheSameBitsOnAnyThreads() {
        for (int threads : new int[] {1, 2, 3}) {
            for (int n : new int[] {1, 3}) {
                Sequential a = new Sequential(new int[] {37}, new Linear(192));
                Sequential b = new Sequential(new int[] {37}, new Linear(192));
                a.initialize(9);
                b.initialize(9);
                Linear panels = (Linear) a.layers().get(0);
                Linear plain = (Linear) b.layers().get(0);
                assertFalse(panels.storeWeightInPanels(64, 37 * 192 + 1), "below the size asked for");
                assertTrue(panels.storeWeightInPanels(64, 0));
                Linear narrow = (Linear) new Sequential(new int[] {37}, new Linear(100)).layers().get(0);
                assertFalse(narrow.storeWeightInPanels(64, 0), "100 outputs are no whole number of panels");
                try (Parallel parallel = new Parallel(threads)) {
                    a.setParallel(parallel);
                    for (int step = 0; step < 2; step++) {
                        Tensor x = GradientCheck.random(10 + step, 1.0, n, 37);
                        Tensor dy = GradientCheck.random(20 + step, 1.0, n, 192);
                        a.zeroGrad();
                        b.zeroGrad();
                        String at = threads + " threads, batch " + n + ", step " + step;
                        assertArrayEquals(plain.forward(x, true).data(), panels.forward(x, true).data(), at);
                        assertArrayEquals(plain.backward(dy, true).data(), panels.backward(dy, true).data(), at);
                        Parameter wa = panels.weight();
                        Parameter wb = plain.weight();
                        assertArrayEquals(wb.inShapeOrder(wb.grad()), wa.inShapeOrder(wa.grad()), at);
                        assertArrayEquals(plain.bias().grad(), panels.bias().grad(), at);
                    }
                }
            }
        }
    }
}
