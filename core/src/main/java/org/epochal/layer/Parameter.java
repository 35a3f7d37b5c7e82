package org.epochal.layer;

import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A trainable tensor and its gradient, both flat float arrays of the same length. Layers accumulate into
 * {@code grad} in backward; optimizers read it and update {@code value}; nothing else writes either.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final float[] grad;

    public Parameter(String name, int... shape) {
        this.name = name;
        this.value = new Tensor(shape);
        this.grad = new float[Shapes.size(shape)];
    }

    /** "weight" or "bias" within its layer; the model prefixes the layer's index ("3.weight"). */
    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public float[] data() {
        return value.data();
    }

    public float[] grad() {
        return grad;
    }

    public int size() {
        return grad.length;
    }

    public int[] shape() {
        return value.shape();
    }
}
