package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.epochal.kernel.Parallel;
import org.epochal.loss.Loss;
import org.epochal.optim.Adam;
import org.epochal.optim.GradClip;
import org.epochal.optim.Optimizer;
import org.epochal.tensor.Tensor;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/** The same seed gives the same bits: across runs and across thread counts. */
class DeterminismTest {
    private static Sequential smallConvNet() {
        return new Sequential(new int[] {1, 12, 12},
                new Conv2d(8, 3, 1, 1), new BatchNorm(), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(6, 3, 2, 0), new Gelu(), new AvgPool2d(2, 1),
                new Flatten(), new Dropout(0.3), new Linear(20), new LayerNorm(), new Tanh(), new Linear(5));
    }

    /**
     * Convolutions large enough for their products to use every thread, so that the forward and the input
     * gradient run as tasks of a few samples each (7 and 5 of a batch of 12 in the second convolution).
     */
    private static Sequential wideConvNet() {
        return new Sequential(new int[] {3, 16, 16},
                new Conv2d(8, 3, 1, 1), new ReLU(), new Conv2d(24, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(5));
    }

    /** Three Adam steps with clipping on a fixed batch; returns every weight afterwards. */
    private static List<float[]> train(java.util.function.Supplier<Sequential> net, int[] batchShape, int threads) {
        Sequential model = net.get();
        model.initialize(42);
        try (Parallel parallel = new Parallel(threads)) {
            model.setParallel(parallel);
            Optimizer optimizer = Adam.adam(model.params(), 1e-2);
            Loss loss = Loss.of("cross_entropy");
            Tensor x = GradientCheck.random(1, 1.0, batchShape);
            Tensor y = new Tensor(batchShape[0]);
            for (int i = 0; i < batchShape[0]; i++) {
                y.data()[i] = i % 5;
            }
            for (int step = 0; step < 3; step++) {
                model.zeroGrad();
                loss.compute(model.forward(x, true), y, true);
                model.backward(loss.gradient());
                GradClip.clipGradNorm(model.params(), 1.0);
                optimizer.step();
            }
        }
        List<float[]> weights = new ArrayList<>();
        model.params().forEach(p -> weights.add(p.data().clone()));
        model.namedBuffers().values().forEach(b -> weights.add(b.data().clone()));
        return weights;
    }

    @Test
    void trainingStepsAreBitIdenticalForOneTwoAndThreeThreads() {
        assertSameOnOneTwoAndThreeThreads(DeterminismTest::smallConvNet, new int[] {16, 1, 12, 12});
    }

    /** Three training steps of {@code net} on a batch of this shape give the same weights on 1, 2 and 3 threads. */
    private static void assertSameOnOneTwoAndThreeThreads(java.util.function.Supplier<Sequential> net, int[] batch) {
        List<float[]> one = train(net, batch, 1);
        List<float[]> two = train(net, batch, 2);
        List<float[]> three = train(net, batch, 3);
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), two.get(i), "tensor " + i + ": 1 vs 2 threads");
            assertArrayEquals(one.get(i), three.get(i), "tensor " + i + ": 1 vs 3 threads");
        }
    }

    @Test
    void convolutionTasksOfAFewSamplesGiveTheSameBitsAsOneThread() {
        assertSameOnOneTwoAndThreeThreads(DeterminismTest::wideConvNet, new int[] {12, 3, 16, 16});
    }

    /**
     * More samples than features, and enough of them, for the activations to split the batch by samples
     * (Activation's ROWS_SLICED_MIN), after products that split it the same way.
     */
    private static Sequential tallMlp() {
        return new Sequential(new int[] {40}, new Linear(64), new ReLU(), new Linear(64), new Tanh(),
                new Linear(64), new Gelu(), new Linear(64), new LeakyReLU(0.1), new Linear(5));
    }

    @Test
    void activationsSplitBySamplesGiveTheSameBitsAsOneThread() {
        assertSameOnOneTwoAndThreeThreads(DeterminismTest::tallMlp, new int[] {301, 40}); // 301 × 64 an activation
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Sequential a = smallConvNet();
        Sequential b = smallConvNet();
        Sequential c = smallConvNet();
        a.initialize(3);
        b.initialize(3);
        c.initialize(4);
        for (int i = 0; i < a.params().size(); i++) {
            assertArrayEquals(a.params().get(i).data(), b.params().get(i).data());
        }
        assertFalse(java.util.Arrays.equals(a.params().get(0).data(), c.params().get(0).data()));
    }
}
