package org.epochal.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.epochal.kernel.Parallel;
import org.epochal.layer.Conv2d;
import org.epochal.layer.Flatten;
import org.epochal.layer.Layer;
import org.epochal.layer.Linear;
import org.epochal.layer.MaxPool2d;
import org.epochal.layer.ReLU;
import org.epochal.layer.Sequential;
import org.epochal.loss.CrossEntropy;
import org.epochal.optim.Adam;
import org.epochal.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layers and the whole training step of torch_ref.py's models, in microseconds per call: {@code forward}
 * and {@code backward} of one layer (the model's layer {@code layer}, fed what the model feeds it), and
 * {@code step} (zero, forward, cross-entropy, backward, Adam) of the whole model. {@code bench/run LayerBench
 * -p model=cnn -p layer=3} times the CNN's second convolution; the layer list is in {@link #build}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn32m"})
@State(Scope.Thread)
public class LayerBench {
    /** mlp: 784-256-128-10 (layers 0 linear, 1 relu, 2 linear, ...); cnn: torch_ref.py's (0 conv, 1 relu, 2 pool, 3 conv, ...). */
    @Param({"mlp", "cnn"})
    public String model;

    @Param({"64"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    /** Which layer forward/backward time. */
    @Param({"0"})
    public int layer;

    private Sequential net;
    private Parallel parallel;
    private Adam adam;
    private final CrossEntropy loss = new CrossEntropy();
    private Tensor x;
    private Tensor y;
    private Tensor layerInput;
    private Tensor layerGrad;

    static Sequential build(String model) {
        return model.equals("cnn")
                ? new Sequential(new int[] {1, 28, 28}, new Conv2d(32, 3, 1, 0), new ReLU(), new MaxPool2d(2, 2),
                        new Conv2d(64, 3, 1, 0), new ReLU(), new MaxPool2d(2, 2), new Flatten(), new Linear(128),
                        new ReLU(), new Linear(10))
                : new Sequential(new int[] {784}, new Linear(256), new ReLU(), new Linear(128), new ReLU(),
                        new Linear(10));
    }

    @Setup
    public void setUp() {
        net = build(model);
        net.initialize(1);
        parallel = new Parallel(threads);
        net.setParallel(parallel);
        adam = Adam.adam(net.params(), 1e-3);
        adam.setParallel(parallel, org.epochal.optim.Optimizer.Split.CHUNKS);
        int[] in = net.inputShape();
        x = Tensor.batch(batch, in);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextDouble(); // pixels scaled to [0, 1)
        }
        y = new Tensor(batch);
        for (int i = 0; i < batch; i++) {
            y.data()[i] = r.nextInt(10);
        }
        // The chosen layer's input and an output gradient of the right shape, from one real pass.
        List<Layer> layers = net.layers();
        Tensor t = x;
        for (int i = 0; i < layer; i++) {
            t = layers.get(i).forward(t, true);
        }
        layerInput = t;
        Tensor out = layers.get(layer).forward(t, true);
        layerGrad = new Tensor(out.shape());
        for (int i = 0; i < layerGrad.size(); i++) {
            layerGrad.data()[i] = (float) (r.nextGaussian() * 1e-3);
        }
    }

    @TearDown
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public Tensor forward() {
        return net.layers().get(layer).forward(layerInput, true);
    }

    /** Backward after a forward on the same input (backward reads what forward kept), with the input gradient. */
    @Benchmark
    public Tensor forwardBackward() {
        Layer l = net.layers().get(layer);
        l.forward(layerInput, true);
        return l.backward(layerGrad, true);
    }

    @Benchmark
    public float step() {
        net.zeroGrad();
        Tensor out = net.forward(x, true);
        float value = loss.compute(out, y, true);
        net.backward(loss.gradient());
        adam.step();
        return value;
    }
}
