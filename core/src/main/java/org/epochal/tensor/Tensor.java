package org.epochal.tensor;

import java.util.Arrays;

/**
 * A float32 array with a shape: row-major, batch first, NCHW for images.
 *
 * <p>The backing array may be longer than the shape needs (capacity), so that a layer can keep one
 * buffer for the largest batch and reuse it for a smaller last batch without copying or allocating.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final int size;

    public Tensor(int... shape) {
        this(new float[Shapes.size(shape)], shape);
    }

    /** Wraps {@code data} (not copied); its length must be at least the shape's size. */
    public Tensor(float[] data, int... shape) {
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        if (data.length < size) {
            throw new IllegalArgumentException("array of " + data.length + " floats is too small for shape "
                    + Shapes.toString(shape));
        }
        this.data = data;
    }

    /** A tensor of shape [batch, sampleShape...]. */
    public static Tensor batch(int batch, int[] sampleShape) {
        return new Tensor(Shapes.withBatch(batch, sampleShape));
    }

    /**
     * A buffer of shape [batch, sampleShape...]: {@code old} itself when it already has that shape, a view of
     * {@code old}'s array when that is large enough, else a new tensor. Allocates nothing in the steady state.
     */
    public static Tensor reuse(Tensor old, int batch, int[] sampleShape) {
        if (old != null && old.shape[0] == batch && old.shape.length == sampleShape.length + 1) {
            boolean same = true;
            for (int i = 0; i < sampleShape.length; i++) {
                same &= old.shape[i + 1] == sampleShape[i];
            }
            if (same) {
                return old;
            }
        }
        int[] shape = Shapes.withBatch(batch, sampleShape);
        if (old != null && old.data.length >= Shapes.size(shape)) {
            return new Tensor(old.data, shape);
        }
        return new Tensor(shape);
    }

    /** The same data seen with another shape of the same size (no copy). */
    public Tensor reshape(int... newShape) {
        if (Shapes.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.toString(shape) + " to "
                    + Shapes.toString(newShape));
        }
        return new Tensor(data, newShape);
    }

    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Whether both have the same shape (without copying either). */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements the shape covers (the array may be longer). */
    public int size() {
        return size;
    }

    /** The first dimension. */
    public int batch() {
        return shape[0];
    }

    /** Elements per sample: size / batch. */
    public int sampleSize() {
        return shape[0] == 0 ? 0 : size / shape[0];
    }

    /** Shape without the batch dimension. */
    public int[] sampleShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Shapes.toString(shape));
        }
        int offset = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Shapes.toString(shape));
            }
            offset = offset * shape[i] + index[i];
        }
        return offset;
    }

    /** A copy holding exactly {@code size()} elements. */
    public Tensor copy() {
        return new Tensor(Arrays.copyOf(data, size), shape);
    }

    public void fill(float value) {
        Arrays.fill(data, 0, size, value);
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.toString(shape);
    }
}
