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
 *
 * <p>A matrix may be stored transposed ({@link #transposed}): its {@link #shape()} is still PyTorch's
 * [rows, cols], but {@code data} and {@code grad} hold it as [cols, rows], and so does every optimizer state
 * array (they are updated element by element, so the layout is theirs to share). Whatever reads or writes
 * values in PyTorch's order (weights files, checkpoints, golden tests, the pre-flight's row checks) goes
 * through {@link #inShapeOrder} and {@link #storeShapeOrder}.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final boolean transposed;
    private final Tensor value;
    private final float[] grad;
    /** zeroGrad was called and nothing has filled or written the gradient since. */
    private boolean zeroPending;

    public Parameter(String name, int... shape) {
        this(name, false, shape);
    }

    private Parameter(String name, boolean transposed, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        this.transposed = transposed;
        this.value = new Tensor(transposed ? new int[] {shape[1], shape[0]} : shape);
        this.grad = new float[Shapes.size(shape)];
    }

    /** A [rows, cols] matrix stored as its transpose, [cols, rows]. */
    public static Parameter transposed(String name, int rows, int cols) {
        return new Parameter(name, true, rows, cols);
    }

    /** Whether {@link #data()} holds the transpose of {@link #shape()} (see the class comment). */
    public boolean storedTransposed() {
        return transposed;
    }

    /**
     * An array of this parameter's layout (its data, gradient or an optimizer state) in the order of
     * {@link #shape()}: the array itself when it is stored that way, else a transposed copy.
     */
    public float[] inShapeOrder(float[] stored) {
        if (!transposed) {
            return stored;
        }
        float[] values = new float[stored.length];
        transpose(stored, shape[1], shape[0], values);
        return values;
    }

    /** {@link #inShapeOrder}, always a new array (for a checkpoint to keep). */
    public float[] copyInShapeOrder(float[] stored) {
        return transposed ? inShapeOrder(stored) : stored.clone();
    }

    /** Writes {@code values}, in the order of {@link #shape()}, into {@code stored}, an array of this layout. */
    public void storeShapeOrder(float[] values, float[] stored) {
        if (transposed) {
            transpose(values, shape[0], shape[1], stored);
        } else {
            System.arraycopy(values, 0, stored, 0, stored.length);
        }
    }

    /** to[c, r] = from[r, c] for from of rows × cols. */
    private static void transpose(float[] from, int rows, int cols, float[] to) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                to[c * rows + r] = from[r * cols + c];
            }
        }
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

    /** PyTorch's shape (for a {@link #transposed} matrix, not the stored one). */
    public int[] shape() {
        return shape.clone();
    }
}
