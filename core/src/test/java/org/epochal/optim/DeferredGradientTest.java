package org.epochal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.epochal.kernel.Parallel;
import org.epochal.layer.Parameter;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer steps a weight whose gradient is held as an outer product (a Linear layer's at batch 1)
 * to the same bits as from the written gradient, also split across threads with chunks starting inside
 * rows, and also when the product carries a clipping coefficient (scaled after it is written); the
 * gradient norm agrees to a float rounding, and clipping keeps the product, with the written bits.
 */
class DeferredGradientTest {
    private static final List<Function<List<Parameter>, Optimizer>> OPTIMIZERS = List.of(
            ps -> Adam.adam(ps, 1e-3),
            ps -> new Adam(ps, 3e-3, 0.8, 0.99, 1e-6, 0.05, false),
            ps -> Adam.adamw(ps, 1e-2),
            ps -> new Sgd(ps, 0.1),
            ps -> new Sgd(ps, 0.05, 0.9, 0, 1e-3, true),
            ps -> new RmsProp(ps, 1e-3, 0.99, 1e-8, 1e-4, 0.9, true));

    @Test
    void optimizersStepADeferredGradientToTheSameBits() {
        // [out, in] = [17, 3]: stored [3, 17]; [250, 300]: 75,000 elements, chunks of 4,096 start inside rows;
        // [10, 128]: a classifier's rows of 10 (Adam writes them out); [32, 5]: rows of whole vectors
        for (int[] shape : new int[][] {{17, 3}, {1, 1}, {250, 300}, {10, 128}, {32, 5}}) {
            for (int o = 0; o < OPTIMIZERS.size(); o++) {
                for (int threads : new int[] {1, 2}) {
                  for (float scale : new float[] {1f, 0.3712f}) {
                    Parameter deferred = Parameter.transposed("w", shape[0], shape[1]);
                    Parameter written = Parameter.transposed("w", shape[0], shape[1]);
                    fill(deferred.data(), 1);
                    fill(written.data(), 1);
                    Optimizer a = OPTIMIZERS.get(o).apply(List.of(deferred));
                    Optimizer b = OPTIMIZERS.get(o).apply(List.of(written));
                    try (Parallel parallel = new Parallel(threads)) {
                        a.setParallel(parallel, Optimizer.Split.CHUNKS);
                        for (int step = 0; step < 3; step++) {
                            float[] x = values(shape[1], 10 + step);
                            float[] dy = values(shape[0], 20 + step);
                            deferred.zeroGrad();
                            assertEquals(true, deferred.deferOuterGrad(x, 0, dy, 0));
                            deferred.scaleGrad(scale);
                            assertEquals(true, deferred.hasOuterGrad(), "scaled, the product is kept");
                            written.zeroGrad();
                            float[] g = written.grad();
                            for (int r = 0; r < x.length; r++) {
                                for (int c = 0; c < dy.length; c++) {
                                    g[r * dy.length + c] = Math.fma(x[r], dy[c], 0f) * scale;
                                }
                            }
                            a.step();
                            b.step();
                            String at = a.type() + " #" + o + " " + shape[0] + "x" + shape[1] + " threads "
                                    + threads + " scale " + scale + " step " + step;
                            assertArrayEquals(written.data(), deferred.data(), at);
                            Map<String, float[]> want = b.state();
                            want.forEach((key, value) -> assertArrayEquals(value, a.state().get(key), at + " " + key));
                            assertArrayEquals(g, deferred.grad(), "read afterwards, the gradient is written out");
                        }
                    }
                  }
                }
            }
        }
    }

    /**
     * A weight stored in panels (a batch of one's first layer), its gradient deferred and its update split by
     * panels between the threads, with a bias beside it: the same bits as the weight stored row by row from
     * its written gradient, for every optimizer (those that take no outer product write it out in panels).
     */
    @Test
    void optimizersStepAWeightInPanelsToTheSameBits() {
        // [out, in]: two panels of 64 by 3 rows; four by 37; three by 300 (chunks of 4,096 inside panels)
        for (int[] shape : new int[][] {{128, 3}, {256, 37}, {192, 300}}) {
            for (int o = 0; o < OPTIMIZERS.size(); o++) {
                for (int threads : new int[] {1, 2, 3}) {
                    float scale = threads == 2 ? 0.3712f : 1f; // clipped on two threads
                    Parameter panels = Parameter.transposed("w", shape[0], shape[1]);
                    Parameter plain = Parameter.transposed("w", shape[0], shape[1]);
                    fill(plain.data(), 1);
                    System.arraycopy(plain.data(), 0, panels.data(), 0, plain.size());
                    panels.storeInPanels(64);
                    Parameter biasA = new Parameter("b", shape[0]);
                    Parameter biasB = new Parameter("b", shape[0]);
                    Optimizer a = OPTIMIZERS.get(o).apply(List.of(panels, biasA));
                    Optimizer b = OPTIMIZERS.get(o).apply(List.of(plain, biasB));
                    try (Parallel parallel = new Parallel(threads)) {
                        a.setParallel(parallel, Optimizer.Split.PANELS);
                        for (int step = 0; step < 3; step++) {
                            float[] x = values(shape[1], 10 + step);
                            float[] dy = values(shape[0], 20 + step);
                            panels.zeroGrad();
                            assertEquals(true, panels.deferOuterGrad(x, 0, dy, 0));
                            plain.zeroGrad();
                            assertEquals(true, plain.deferOuterGrad(x, 0, dy, 0));
                            plain.grad(); // written out
                            fill(biasA.grad(), 30 + step);
                            fill(biasB.grad(), 30 + step);
                            for (Parameter p : List.of(panels, plain, biasA, biasB)) {
                                p.scaleGrad(scale);
                            }
                            a.step();
                            b.step();
                            String at = a.type() + " #" + o + " " + shape[0] + "x" + shape[1] + " threads "
                                    + threads + " step " + step;
                            assertArrayEquals(plain.inShapeOrder(plain.data()), panels.inShapeOrder(panels.data()), at);
                            assertArrayEquals(biasB.data(), biasA.data(), at + " bias");
                            Map<String, float[]> want = b.state();
                            want.forEach((key, value) -> assertArrayEquals(b.stateOwner(key).inShapeOrder(value),
                                    a.stateOwner(key).inShapeOrder(a.state().get(key)), at + " " + key));
                        }
                    }
                }
            }
        }
    }

    @Test
    void theNormOfADeferredGradientIsTheWrittenOnesAndClippingKeepsItsBits() {
        Parameter deferred = Parameter.transposed("w", 40, 30);
        Parameter bias = new Parameter("b", 40);
        float[] x = values(30, 1);
        float[] dy = values(40, 2);
        deferred.zeroGrad();
        deferred.deferOuterGrad(x, 0, dy, 0);
        fill(bias.grad(), 3);
        double norm = GradClip.globalNorm(List.of(deferred, bias));
        float[] g = deferred.grad().clone(); // written out
        double want = GradClip.globalNorm(List.of(deferred, bias));
        assertEquals(want, norm, 1e-6 * want);

        deferred.zeroGrad();
        deferred.deferOuterGrad(x, 0, dy, 0);
        double before = GradClip.clipGradNorm(List.of(deferred, bias), want / 2);
        float coef = (float) Math.min(1.0, want / 2 / (before + 1e-6));
        assertEquals(true, deferred.hasOuterGrad(), "clipped, the product is kept");
        double squares = 0;
        for (float e : g) {
            squares += (double) (e * coef) * (e * coef);
        }
        assertEquals(squares, GradClip.squares(deferred), 1e-9 * squares, "its squares are the clipped gradient's");
        float[] clipped = deferred.grad();
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i] * coef, clipped[i], "element " + i);
        }

        // under the limit: nothing is multiplied, the product is kept as it is
        deferred.zeroGrad();
        deferred.deferOuterGrad(x, 0, dy, 0);
        GradClip.clipGradNorm(List.of(deferred, bias), want * 2);
        assertEquals(true, deferred.hasOuterGrad());
        assertEquals(1f, deferred.outerScale());
        assertArrayEquals(g, deferred.grad());
    }

    private static float[] values(int n, long seed) {
        float[] v = new float[n];
        fill(v, seed);
        return v;
    }

    private static void fill(float[] v, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
    }
}
