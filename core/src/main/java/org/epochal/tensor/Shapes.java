package org.epochal.tensor;

import java.util.Arrays;

/** Shape arithmetic and the messages for shapes that do not fit. */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions; refuses negative dimensions and sizes beyond an int. */
    public static int size(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + toString(shape));
            }
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + toString(shape) + " has more than 2^31 elements");
            }
        }
        return (int) size;
    }

    public static int[] withBatch(int batch, int[] sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** "[3, 28, 28]". */
    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}
