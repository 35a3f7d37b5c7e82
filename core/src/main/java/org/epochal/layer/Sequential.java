package org.epochal.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.kernel.Parallel;
import org.epochal.rng.Rng;
import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A list of layers applied in order, as nn.Sequential: builds them from the per-sample input shape,
 * names their parameters "{index}.weight" like PyTorch's state_dict, and runs forward and backward.
 */
public final class Sequential {
    private final int[] inputShape;
    private final List<Layer> layers;
    private final int[] outputShape;
    /** Index of the first layer with parameters (the layer count if none): where backward stops. */
    private final int firstWithParams;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Parameter> buffers = new LinkedHashMap<>();

    /** Builds every layer in order; an impossible shape fails here naming the layer. */
    public Sequential(int[] inputShape, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer");
        }
        for (int d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("input shape " + Shapes.toString(inputShape)
                        + " must have positive dimensions");
            }
        }
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        int[] shape = inputShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            shape = layer.build(i, shape);
            for (Parameter p : layer.params()) {
                params.put(i + "." + p.name(), p);
            }
            for (Parameter b : layer.buffers()) {
                buffers.put(i + "." + b.name(), b);
            }
        }
        this.outputShape = shape;
        int first = layers.size();
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (!layers.get(i).params().isEmpty()) {
                first = i;
            }
        }
        this.firstWithParams = first;
        for (int i = 1; i < layers.size(); i++) {
            // the pairs backward runs in one pass (see backward) also run forward in one
            if (layers.get(i) instanceof MaxPool2d pool && layers.get(i - 1) instanceof ReLU relu
                    && i - 1 > first) {
                relu.deferToPooling();
                pool.rectifyInput();
            }
        }
    }

    public Sequential(int[] inputShape, Layer... layers) {
        this(inputShape, Arrays.asList(layers));
    }

    /**
     * Draws every parameter from one generator, layer by layer, weight before bias; dropout layers get
     * generators derived from the same seed.
     */
    public void initialize(long seed) {
        Rng rng = new Rng(seed);
        for (Layer layer : layers) {
            layer.initialize(rng);
            if (layer instanceof Dropout d) {
                d.setRng(Rng.derive(seed, 0xD50, layer.index()));
            }
        }
    }

    /** Runs the layers on {@code threads} threads (results are the same bits for any count). */
    public void setParallel(Parallel parallel) {
        for (Layer layer : layers) {
            layer.setParallel(parallel);
        }
    }

    public Tensor forward(Tensor x, boolean training) {
        Tensor t = x;
        boolean timed = layerNanos != null && training;
        for (int i = 0; i < layers.size(); i++) {
            long start = timed ? System.nanoTime() : 0;
            t = layers.get(i).forward(t, training);
            if (timed) {
                layerNanos[2 * i] += System.nanoTime() - start;
            }
        }
        return t;
    }

    /** Per layer, nanoseconds of training forward (2i) and backward (2i + 1) since {@link #timeLayers}. */
    private long[] layerNanos;

    /** From now on, times each layer's training forward and backward (for performance work; off: null). */
    public void timeLayers(boolean on) {
        layerNanos = on ? new long[2 * layers.size()] : null;
    }

    /** µs of forward and backward per layer since {@link #timeLayers}, over {@code steps} steps, as text. */
    public String layerTimes(int steps) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; layerNanos != null && i < layers.size(); i++) {
            text.append(String.format(java.util.Locale.ROOT, " %d.%s %.0f/%.0f", i, layers.get(i).type(),
                    layerNanos[2 * i] / 1e3 / steps, layerNanos[2 * i + 1] / 1e3 / steps));
        }
        return text.toString();
    }

    /**
     * Back-propagates dLoss/dOutput, accumulating parameter gradients. It stops at the first layer with
     * parameters: nothing reads a gradient below it (for flatten → linear, the 512×784·784×256 input
     * gradient the linear layer would otherwise compute is a third of an MLP step). A ReLU followed by max
     * pooling is back-propagated by the pooling layer in one pass.
     */
    public void backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= firstWithParams; i--) {
            Layer layer = layers.get(i);
            long start = layerNanos == null ? 0 : System.nanoTime();
            int timed = i;
            if (layer instanceof MaxPool2d pool && i - 1 > firstWithParams && layers.get(i - 1) instanceof ReLU) {
                g = pool.backwardThroughRelu(g); // the ReLU's backward too, in the same pass (same bits)
                i--;
            } else {
                g = layer.backward(g, i > firstWithParams);
            }
            if (layerNanos != null) {
                layerNanos[2 * timed + 1] += System.nanoTime() - start;
            }
        }
    }

    public void zeroGrad() {
        for (Parameter p : params.values()) {
            p.zeroGrad();
        }
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Trainable parameters by state-dict name, in PyTorch's order. */
    public Map<String, Parameter> namedParams() {
        return Collections.unmodifiableMap(params);
    }

    public List<Parameter> params() {
        return new ArrayList<>(params.values());
    }

    /** Non-trainable tensors saved with the weights (batchnorm running statistics). */
    public Map<String, Parameter> namedBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public int parameterCount() {
        int count = 0;
        for (Parameter p : params.values()) {
            count += p.size();
        }
        return count;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }
}
