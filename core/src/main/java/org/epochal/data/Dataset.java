package org.epochal.data;

import java.util.Arrays;
import java.util.List;
import org.epochal.tensor.Shapes;

/**
 * A labelled data set held in memory: features [size, sampleShape...] and targets [size, targetWidth],
 * both flat float arrays. For classification the target is one class index per sample
 * (targetWidth 1) and {@link #classNames()} names the classes when the labels were strings.
 */
public final class Dataset {
    private final float[] features;
    private final int[] sampleShape;
    private final int sampleSize;
    private final float[] targets;
    private final int targetWidth;
    private final List<String> classNames;
    private final String origin;

    /**
     * @param classNames class names in index order when labels were strings; empty otherwise
     * @param origin where the data came from (a file name), for messages
     */
    public Dataset(float[] features, int[] sampleShape, float[] targets, int targetWidth, List<String> classNames,
                   String origin) {
        this.sampleShape = sampleShape.clone();
        this.sampleSize = Shapes.size(sampleShape);
        if (sampleSize == 0 || features.length % sampleSize != 0) {
            throw new IllegalArgumentException(origin + ": " + features.length + " feature values do not divide into"
                    + " samples of shape " + Shapes.toString(sampleShape));
        }
        int size = features.length / sampleSize;
        if (targetWidth < 1 || targets.length != (long) size * targetWidth) {
            throw new IllegalArgumentException(origin + ": " + size + " samples but " + targets.length
                    + " target values (expected " + targetWidth + " per sample)");
        }
        this.features = features;
        this.targets = targets;
        this.targetWidth = targetWidth;
        this.classNames = List.copyOf(classNames);
        this.origin = origin;
    }

    public int size() {
        return features.length / sampleSize;
    }

    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public int sampleSize() {
        return sampleSize;
    }

    /** All features, sample after sample (not a copy). */
    public float[] features() {
        return features;
    }

    /** All targets, sample after sample (not a copy). */
    public float[] targets() {
        return targets;
    }

    public int targetWidth() {
        return targetWidth;
    }

    /** Class names in index order when labels were strings, else empty. */
    public List<String> classNames() {
        return classNames;
    }

    public String origin() {
        return origin;
    }

    /** The samples at {@code indices}, in that order (copied). */
    public Dataset subset(int[] indices) {
        float[] f = new float[indices.length * sampleSize];
        float[] t = new float[indices.length * targetWidth];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * sampleSize, f, i * sampleSize, sampleSize);
            System.arraycopy(targets, indices[i] * targetWidth, t, i * targetWidth, targetWidth);
        }
        return new Dataset(f, sampleShape, t, targetWidth, classNames, origin);
    }

    /** This data set followed by {@code other}, which must have the same sample and target shapes. */
    public Dataset concat(Dataset other) {
        if (!Arrays.equals(sampleShape, other.sampleShape) || targetWidth != other.targetWidth) {
            throw new IllegalArgumentException(other.origin + ": samples of shape " + Shapes.toString(other.sampleShape)
                    + " with " + other.targetWidth + " target(s) cannot join " + origin + " with shape "
                    + Shapes.toString(sampleShape) + " and " + targetWidth + " target(s)");
        }
        float[] f = Arrays.copyOf(features, features.length + other.features.length);
        System.arraycopy(other.features, 0, f, features.length, other.features.length);
        float[] t = Arrays.copyOf(targets, targets.length + other.targets.length);
        System.arraycopy(other.targets, 0, t, targets.length, other.targets.length);
        return new Dataset(f, sampleShape, t, targetWidth, classNames, origin + " + " + other.origin);
    }

    /** The samples with the same features viewed under another shape of the same size (e.g. [64] as [1, 8, 8]). */
    public Dataset reshaped(int[] newSampleShape) {
        if (Shapes.size(newSampleShape) != sampleSize) {
            throw new IllegalArgumentException(origin + ": samples of shape " + Shapes.toString(sampleShape)
                    + " (" + sampleSize + " values) cannot be read as " + Shapes.toString(newSampleShape));
        }
        return new Dataset(features, newSampleShape, targets, targetWidth, classNames, origin);
    }
}
