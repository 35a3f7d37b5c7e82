package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/** Behaviour that fixtures do not pin down: modes, shape errors, dropout statistics, buffer reuse. */
class LayerBehaviourTest {
    @Test
    void shapeMismatchNamesLayerIndexTypeAndBothShapes() {
        Sequential model = new Sequential(new int[] {784}, new Linear(256), new ReLU(), new Linear(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(new Tensor(2, 1, 28, 28), true));
        assertEquals("layer 0 (linear): expected input [batch, 784], got [2, 1, 28, 28]", e.getMessage());
    }

    @Test
    void impossibleArchitectureFailsAtBuildNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new int[] {1, 28, 28}, new Linear(10)));
        assertTrue(e.getMessage().startsWith("layer 0 (linear): expects a vector per sample, got shape [1, 28, 28]"),
                e.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new int[] {1, 4, 4}, new MaxPool2d(2, 2), new Conv2d(3, 5, 1, 0)));
        assertTrue(k.getMessage().startsWith("layer 1 (conv2d): kernel 5x5 is larger than the padded input 2x2"),
                k.getMessage());
    }

    @Test
    void batchNormRefusesOneValuePerChannelInTraining() {
        Sequential model = new Sequential(new int[] {4}, new Linear(3), new BatchNorm());
        model.initialize(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(new Tensor(1, 4), true));
        assertTrue(e.getMessage().contains("layer 1 (batchnorm)") && e.getMessage().contains("batch size 1"),
                e.getMessage());
        model.forward(new Tensor(1, 4), false); // eval with running statistics is fine
    }

    @Test
    void dropoutZeroesAboutPAndScalesSurvivors() {
        Dropout d = new Dropout(0.25);
        d.build(0, new int[] {10_000});
        d.setRng(new Rng(5));
        Tensor x = new Tensor(2, 10_000);
        x.fill(1f);
        Tensor y = d.forward(x, true);
        int zeros = 0;
        for (int i = 0; i < y.size(); i++) {
            float v = y.data()[i];
            assertTrue(v == 0f || v == 1f / 0.75f, "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(0.25, zeros / 20_000.0, 0.01);
        Tensor dx = d.backward(y, true);
        for (int i = 0; i < y.size(); i++) {
            assertEquals(y.data()[i] == 0f ? 0f : 1f / 0.75f / 0.75f, dx.data()[i], 1e-6f);
        }
        assertSame(x, d.forward(x, false), "eval passes the input through");
    }

    @Test
    void dropoutGradientWithAFixedMask() {
        Dropout d = new Dropout(0.4);
        d.build(0, new int[] {12});
        new GradientCheck(1e-2, 2e-2, 2e-3).beforeForward(() -> d.setRng(new Rng(11)))
                .check(d, GradientCheck.random(2, 1.0, 3, 12), true);
    }

    @Test
    void buffersAreReusedBetweenBatchesOfTheSameSize() {
        Sequential model = new Sequential(new int[] {6}, new Linear(5), new ReLU(), new Linear(2));
        model.initialize(1);
        Tensor first = model.forward(GradientCheck.random(1, 1, 4, 6), true);
        Tensor second = model.forward(GradientCheck.random(2, 1, 4, 6), true);
        assertSame(first, second);
        Tensor smaller = model.forward(GradientCheck.random(3, 1, 3, 6), true);
        assertSame(first.data(), smaller.data(), "a smaller last batch reuses the array");
        assertArrayEquals(new int[] {3, 2}, smaller.shape());
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Sequential model = new Sequential(new int[] {3}, new Linear(2));
        model.initialize(1);
        Tensor x = GradientCheck.random(1, 1, 2, 3);
        Tensor g = GradientCheck.random(2, 1, 2, 2);
        model.forward(x, true);
        model.backward(g);
        float[] once = model.params().get(0).grad().clone();
        model.forward(x, true);
        model.backward(g);
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], model.params().get(0).grad()[i], 1e-6f);
        }
        model.zeroGrad();
        assertEquals(0f, model.params().get(0).grad()[0]);
    }

    @Test
    void zeroGradThenBackwardEqualsZeroFilledThenAddedBitForBit() {
        for (boolean conv : new boolean[] {false, true}) {
            Sequential model = conv
                    ? new Sequential(new int[] {2, 6, 6}, new Conv2d(3, 3, 1, 1), new Flatten(), new Linear(4))
                    : new Sequential(new int[] {5}, new Linear(7), new ReLU(), new Linear(3));
            model.initialize(3);
            Tensor x = GradientCheck.random(4, 1, conv ? new int[] {3, 2, 6, 6} : new int[] {3, 5});
            Tensor g = GradientCheck.random(5, 1, 3, conv ? 4 : 3);
            for (Parameter p : model.params()) {
                java.util.Arrays.fill(p.grad(), 7f); // stale values that zeroGrad must hide
            }
            model.zeroGrad();
            model.forward(x, true);
            model.backward(g);
            java.util.List<float[]> lazy = model.params().stream().map(p -> p.grad().clone()).toList();
            // The old way: zeros written first, then the layers add onto them.
            for (Parameter p : model.params()) {
                java.util.Arrays.fill(p.grad(), 0f);
            }
            model.forward(x, true);
            model.backward(g);
            for (int i = 0; i < lazy.size(); i++) {
                assertArrayEquals(lazy.get(i), model.params().get(i).grad(), "parameter " + i + (conv ? " (cnn)" : ""));
            }
            // A second backward without zeroGrad still adds.
            model.forward(x, true);
            model.backward(g);
            float[] twice = model.params().get(0).grad();
            assertEquals(2 * lazy.get(0)[1], twice[1], 1e-5f * Math.abs(lazy.get(0)[1]) + 1e-7f);
        }
    }

    /** A layer with no parameters that records the backward calls it gets. */
    private static final class Spy extends Layer {
        final java.util.List<Boolean> calls = new java.util.ArrayList<>();

        @Override
        public String type() {
            return "spy";
        }

        @Override
        protected int[] outputShapeFor(int[] inputShape) {
            return inputShape;
        }

        @Override
        public Tensor forward(Tensor input, boolean training) {
            return input;
        }

        @Override
        public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
            calls.add(needInputGrad);
            return gradOutput;
        }
    }

    @Test
    void backwardStopsAtTheFirstLayerWithParameters() {
        Spy below = new Spy();
        Spy between = new Spy();
        Sequential model = new Sequential(new int[] {4}, below, new Linear(3), between, new Linear(2));
        model.initialize(1);
        Tensor x = new Tensor(2, 4);
        x.fill(1f);
        Tensor out = model.forward(x, true);
        model.backward(out.copy());
        assertEquals(java.util.List.of(), below.calls, "nothing below the first linear layer needs a gradient");
        assertEquals(java.util.List.of(true), between.calls, "the first linear layer's output still gets one");
    }

    /** Sizes: a tiny odd plane (scalar path), and planes of the CNN (26→13, 11→5) and odd 27, row by row. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"6,7", "26,26", "11,11", "27,27", "34,34"})
    void maxPoolTwoByTwoTakesTheFirstMaximumAndAnyNaNAsTheScanDoes(int h, int w) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Tensor x = new Tensor(2, 3, h, w);
        for (int i = 0; i < x.size(); i++) {
            int pick = r.nextInt(10);
            x.data()[i] = pick == 0 ? Float.NaN : pick < 4 ? 1f : (float) r.nextGaussian(); // ties and NaNs
        }
        MaxPool2d pool = new MaxPool2d(2, 2);
        pool.build(0, new int[] {3, h, w});
        Tensor y = pool.forward(x, true);
        Tensor dy = new Tensor(y.shape());
        for (int i = 0; i < dy.size(); i++) {
            dy.data()[i] = i + 1;
        }
        Tensor dx = pool.backward(dy, true);
        float[] wantDx = new float[x.size()];
        int o = 0;
        for (int plane = 0; plane < 6; plane++) {
            for (int i = 0; i < h / 2; i++) {
                for (int j = 0; j < w / 2; j++, o++) {
                    int best = -1;
                    float max = 0;
                    for (int ki = 0; ki < 2; ki++) {
                        for (int kj = 0; kj < 2; kj++) {
                            int at = plane * h * w + (2 * i + ki) * w + 2 * j + kj;
                            float v = x.data()[at];
                            if (best < 0 || v > max || Float.isNaN(v)) {
                                max = v;
                                best = at;
                            }
                        }
                    }
                    assertEquals(Float.floatToRawIntBits(max), Float.floatToRawIntBits(y.data()[o]), "output " + o);
                    wantDx[best] += dy.data()[o];
                }
            }
        }
        assertArrayEquals(wantDx, dx.data());
    }

    /**
     * After an evaluation pass at another batch size, dropout in training wrote its masked output into the
     * buffer of the layer before it (eval had left dropout holding that layer's output as its own, and a
     * buffer resized for a new batch keeps its array): a tanh then took its derivative from masked values.
     */
    @Test
    void dropoutNeverWritesIntoTheLayerBeforeIt() {
        Sequential model = new Sequential(new int[] {6}, new Linear(5), new Tanh(), new Dropout(0.5), new Linear(2));
        model.initialize(1L);
        Layer tanh = model.layers().get(1);
        Rng r = new Rng(2);
        for (int pass = 0; pass < 3; pass++) {
            boolean training = pass != 1;
            Tensor x = new Tensor(training ? 4 : 9, 6);
            for (int i = 0; i < x.size(); i++) {
                x.data()[i] = (float) r.nextGaussian();
            }
            model.forward(x, training);
            float[] before = model.layers().get(0).lastOutput().data();
            float[] after = tanh.lastOutput().data();
            for (int i = 0; i < x.batch() * 5; i++) {
                assertEquals((float) Math.tanh(before[i]), after[i], 1e-6f, "pass " + pass + ", element " + i);
            }
        }
    }
}
