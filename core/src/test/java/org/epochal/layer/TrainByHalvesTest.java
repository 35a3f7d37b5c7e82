package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epochal.kernel.Parallel;
import org.epochal.loss.Loss;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * A step by halves of the batch (Sequential#trainByHalves): the same bits on any thread count, the output of
 * the whole forward pass, and the whole step's loss and gradients up to the order of two sums.
 */
class TrainByHalvesTest {
    /** Every layer kind that runs by halves: a view, products, activations, inner layers needing dx. */
    private static Sequential mlp() {
        Sequential model = new Sequential(new int[] {2, 3, 5},
                new Flatten(), new Linear(33), new ReLU(), new Linear(17), new Tanh(), new Linear(20), new Gelu(),
                new LeakyReLU(0.1f), new Sigmoid(), new Linear(5));
        model.initialize(7);
        return model;
    }

    /**
     * Convolutions (the first padded; the others, not first, compute dx; one without bias) and max pooling,
     * the vector-row path, the windows' path and the general scan, after deferred ReLUs or not.
     */
    private static Sequential cnn() {
        Sequential model = new Sequential(new int[] {2, 20, 20},
                // 20×20 → 10×10 (vector rows)
                new Conv2d(4, 3, 3, 1, 1, 1, 1, true), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(6, 3, 1, 0), new ReLU(), new MaxPool2d(2, 2), // 8×8 → 4×4 (windows)
                new Conv2d(5, 2, 2, 1, 1, 0, 0, false), new Tanh(), new MaxPool2d(3, 1), // 3×3 → 1×1 (scan)
                new Flatten(), new Linear(5));
        model.initialize(11);
        return model;
    }

    /** A batch of n random inputs of the model's input shape. */
    private static Tensor input(Sequential model, int n) {
        int[] shape = model.inputShape();
        int[] withBatch = new int[shape.length + 1];
        withBatch[0] = n;
        System.arraycopy(shape, 0, withBatch, 1, shape.length);
        return GradientCheck.random(1, 1.0, withBatch);
    }

    /** Targets for the loss: class indices, or values in (0, 1) of the output's shape. */
    private static Tensor targets(String loss, int n) {
        if (loss.equals("cross_entropy")) {
            Tensor y = new Tensor(n);
            for (int i = 0; i < n; i++) {
                y.data()[i] = (i * 7) % 5;
            }
            return y;
        }
        Tensor y = GradientCheck.random(3, 1.0, n, 5);
        for (int i = 0; i < y.size(); i++) {
            y.data()[i] = Math.abs(y.data()[i]) % 1f;
        }
        return y;
    }

    /** The loss, the output and every gradient of one step by halves on {@code threads} threads. */
    private static List<float[]> byHalves(String lossName, int n, int threads) {
        return byHalves(mlp(), lossName, n, threads);
    }

    private static List<float[]> byHalves(Sequential model, String lossName, int n, int threads) {
        Loss loss = Loss.of(lossName);
        List<float[]> result = new ArrayList<>();
        try (Parallel parallel = new Parallel(threads)) {
            model.setParallel(parallel);
            model.zeroGrad();
            float value = model.trainByHalves(input(model, n), targets(lossName, n), loss);
            result.add(new float[] {value});
        }
        result.add(model.lastOutput().data().clone());
        model.params().forEach(p -> result.add(p.grad().clone()));
        return result;
    }

    /** The same through the whole-batch forward, loss and backward. */
    private static List<float[]> whole(String lossName, int n) {
        return whole(mlp(), lossName, n, Parallel.SEQUENTIAL);
    }

    private static List<float[]> whole(Sequential model, String lossName, int n, Parallel parallel) {
        Loss loss = Loss.of(lossName);
        model.setParallel(parallel);
        model.zeroGrad();
        Tensor out = model.forward(input(model, n), true);
        List<float[]> result = new ArrayList<>();
        result.add(new float[] {loss.compute(out, targets(lossName, n), true)});
        result.add(out.data().clone());
        model.backward(loss.gradient());
        model.params().forEach(p -> result.add(p.grad().clone()));
        return result;
    }

    @Test
    void theSameBitsOnAnyThreadCount() {
        for (String loss : new String[] {"cross_entropy", "mse", "bce_with_logits"}) {
            for (int n : new int[] {2, 3, 17, 256, 257}) {
                List<float[]> one = byHalves(loss, n, 1);
                for (int threads : new int[] {2, 3}) {
                    List<float[]> other = byHalves(loss, n, threads);
                    for (int i = 0; i < one.size(); i++) {
                        for (int j = 0; j < one.get(i).length; j++) {
                            assertEquals(Float.floatToIntBits(one.get(i)[j]), Float.floatToIntBits(other.get(i)[j]),
                                    loss + " n=" + n + " threads=" + threads + " array " + i + " element " + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void equalsTheWholeStepUpToTheOrderOfTwoSums() {
        for (String loss : new String[] {"cross_entropy", "mse", "bce_with_logits"}) {
            for (int n : new int[] {2, 17, 256}) {
                List<float[]> halves = byHalves(loss, n, 2);
                List<float[]> all = whole(loss, n);
                assertEquals(all.get(0)[0], halves.get(0)[0], 1e-6 * Math.abs(all.get(0)[0]), loss + " n=" + n);
                // each output row is the same chain of products, half or not
                float[] out = all.get(1);
                for (int j = 0; j < out.length; j++) {
                    assertEquals(Float.floatToIntBits(out[j]), Float.floatToIntBits(halves.get(1)[j]), "output " + j);
                }
                for (int i = 2; i < all.size(); i++) {
                    float[] a = all.get(i);
                    float[] b = halves.get(i);
                    double scale = 0;
                    for (float v : a) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertTrue(scale > 0, "a gradient that is all zero proves nothing");
                    for (int j = 0; j < a.length; j++) {
                        assertEquals(a[j], b[j], 1e-5 * scale, loss + " n=" + n + " gradient " + i + " element " + j);
                    }
                }
            }
        }
    }

    /** Convolutions and pooling by halves: the same bits on any thread count, and the whole step's values. */
    @Test
    void convolutionsAndPoolingByHalves() {
        for (int n : new int[] {2, 3, 17}) {
            List<float[]> one = byHalves(cnn(), "cross_entropy", n, 1);
            for (int threads : new int[] {2, 3}) {
                List<float[]> other = byHalves(cnn(), "cross_entropy", n, threads);
                for (int i = 0; i < one.size(); i++) {
                    for (int j = 0; j < one.get(i).length; j++) {
                        assertEquals(Float.floatToIntBits(one.get(i)[j]), Float.floatToIntBits(other.get(i)[j]),
                                "n=" + n + " threads=" + threads + " array " + i + " element " + j);
                    }
                }
            }
            for (int threads : new int[] {1, 2}) {
                List<float[]> all;
                try (Parallel parallel = new Parallel(threads)) {
                    all = whole(cnn(), "cross_entropy", n, parallel);
                }
                assertEquals(all.get(0)[0], one.get(0)[0], 1e-6 * Math.abs(all.get(0)[0]), "n=" + n);
                for (int i = 1; i < all.size(); i++) {
                    float[] a = all.get(i);
                    float[] b = one.get(i);
                    double scale = 0;
                    for (float v : a) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertTrue(scale > 0, "an array that is all zero proves nothing: " + i);
                    for (int j = 0; j < a.length; j++) {
                        assertEquals(a[j], b[j], 1e-5 * scale, "n=" + n + " threads=" + threads + " array " + i
                                + " element " + j);
                    }
                }
            }
        }
    }

    /** The norm computed while the halves are added is GradClip.globalNorm's, bit for bit. */
    @Test
    void theNormOfTheSummedGradientsIsGlobalNorms() {
        // 97×300 = 29,100 weights: seven whole blocks of 4,096 and a tail; 300×44 = 13,200; biases; 44×5
        Sequential model = new Sequential(new int[] {97}, new Linear(300), new ReLU(), new Linear(44), new Linear(5));
        model.initialize(3);
        try (Parallel parallel = new Parallel(2)) {
            model.setParallel(parallel);
            for (int step = 0; step < 2; step++) {
                model.zeroGrad();
                model.trainByHalves(GradientCheck.random(step, 1.0, 40, 97), targets("cross_entropy", 40),
                        Loss.of("cross_entropy"));
                double norm = org.epochal.optim.GradClip.globalNorm(model.params());
                assertTrue(norm > 0);
                assertEquals(Double.doubleToLongBits(norm), Double.doubleToLongBits(model.halvesGradNorm()));
            }
        }
    }

    /**
     * A step taken chunk by chunk as the halves are summed (StepInChunks) leaves the weights and optimizer
     * state of the separate step, bit for bit, for each optimizer; none when the loss is not finite.
     */
    @Test
    void aStepInChunksIsTheSeparateStep() {
        List<java.util.function.Function<List<Parameter>, org.epochal.optim.Optimizer>> optimizers = List.of(
                p -> org.epochal.optim.Adam.adam(p, 1e-2), p -> org.epochal.optim.Adam.adamw(p, 1e-2),
                p -> new org.epochal.optim.Sgd(p, 0.1, 0.9, 0.0, 1e-4, true), p -> org.epochal.optim.RmsProp.of(p, 1e-2));
        for (var make : optimizers) {
            List<List<float[]>> results = new ArrayList<>();
            for (boolean inChunks : new boolean[] {false, true}) {
                Sequential model = new Sequential(new int[] {97}, new Linear(300), new ReLU(), new Linear(5));
                model.initialize(3);
                org.epochal.optim.Optimizer optimizer = make.apply(model.params());
                Sequential.StepInChunks chunks = optimizer.inChunks();
                try (Parallel parallel = new Parallel(2)) {
                    model.setParallel(parallel);
                    for (int step = 0; step < 3; step++) {
                        model.zeroGrad();
                        model.trainByHalves(GradientCheck.random(step, 1.0, 40, 97), targets("cross_entropy", 40),
                                Loss.of("cross_entropy"), null, inChunks ? chunks : null);
                        assertEquals(inChunks, model.halvesStepped());
                        if (!inChunks) {
                            optimizer.step();
                        }
                    }
                    // a batch whose loss is infinite: no step
                    Tensor x = GradientCheck.random(9, 1.0, 40, 97);
                    x.data()[5] = Float.POSITIVE_INFINITY;
                    model.zeroGrad();
                    model.trainByHalves(x, targets("cross_entropy", 40), Loss.of("cross_entropy"), null,
                            inChunks ? chunks : null);
                    assertFalse(model.halvesStepped());
                }
                assertEquals(3, optimizer.steps(), optimizer.type());
                List<float[]> state = new ArrayList<>();
                model.params().forEach(p -> state.add(p.data().clone()));
                optimizer.state().values().forEach(a -> state.add(a.clone()));
                results.add(state);
            }
            assertEquals(results.get(0).size(), results.get(1).size());
            for (int i = 0; i < results.get(0).size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(results.get(0).get(i), results.get(1).get(i),
                        "array " + i);
            }
        }
    }

    @Test
    void onlyModelsWhoseLayersTreatSamplesApart() {
        assertTrue(mlp().runsByHalves());
        assertFalse(new Sequential(new int[] {4}, new Linear(3), new BatchNorm(), new Linear(2)).runsByHalves());
        assertFalse(new Sequential(new int[] {4}, new Linear(3), new Dropout(0.5), new Linear(2)).runsByHalves());
        assertTrue(cnn().runsByHalves());
        assertFalse(new Sequential(new int[] {1, 4, 4}, new Conv2d(2, 3, 1, 1), new AvgPool2d(2, 2), new Flatten(),
                new Linear(2)).runsByHalves());
    }

    @Test
    void needsZeroedGradients() {
        Sequential model = mlp();
        model.zeroGrad();
        model.params().get(0).grad(); // filled: no longer pending zero
        assertThrows(IllegalStateException.class, () -> model.trainByHalves(GradientCheck.random(1, 1.0, 4, 2, 3, 5),
                targets("cross_entropy", 4), Loss.of("cross_entropy")));
    }
}
