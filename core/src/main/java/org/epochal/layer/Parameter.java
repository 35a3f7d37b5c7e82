package org.epochal.layer;

import java.util.Arrays;
import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A trainable tensor and its gradient, both flat float arrays of the same length. Layers accumulate into
 * {@code grad} in backward; optimizers read it and update {@code value}; nothing else writes either.
 *
 * <p>{@link #zeroGrad()} only marks the gradient as zero: the first reader fills it, and a layer that writes
 * its whole gradient in one pass ({@link #overwritesGrad()}) skips both the fill and the read of the zeros
 * (a Linear layer's weight gradient at batch 1 is written once per step: zeroing it first doubled the stores).
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final float[] grad;
    /** zeroGrad was called and nothing has filled or written the gradient since. */
    private boolean zeroPending;

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

    /** The gradient, zeros if {@link #zeroGrad()} was the last thing done to it. */
    public float[] grad() {
        if (zeroPending) {
            Arrays.fill(grad, 0f);
            zeroPending = false;
        }
        return grad;
    }

    /** Makes the gradient zero (at the latest when it is next read or written). */
    public void zeroGrad() {
        zeroPending = true;
    }

    /**
     * For a layer about to write every element of {@link #grad()}: true when it is zero, so the layer may
     * store its sum instead of adding it (the same bits: a sum added to +0 is itself, and a chain started
     * from +0 is the chain). The caller must then write every element.
     */
    public boolean overwritesGrad() {
        boolean zero = zeroPending;
        zeroPending = false;
        return zero;
    }

    public int size() {
        return grad.length;
    }

    public int[] shape() {
        return value.shape();
    }
}
