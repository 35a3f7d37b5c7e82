package org.epochal.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.epochal.BadInputException;

/**
 * The `normalize` step: fitted once on the training data, then applied unchanged to training,
 * validation, test and evaluation data, and stored with the model (via {@link #toMap()}) so that a
 * later evaluation sees inputs exactly as training did.
 *
 * <ul>
 *   <li>{@code none}: x unchanged;</li>
 *   <li>{@code scale}: x / factor;</li>
 *   <li>{@code standard}: per feature (x − mean) / std (population std); a constant feature keeps std 1;</li>
 *   <li>{@code minmax}: per feature (x − min) / (max − min), into [0, 1] on the training data; a constant
 *       feature keeps range 1.</li>
 * </ul>
 * "Per feature" means per value of a sample (each pixel of an image). Statistics are summed in double,
 * sample after sample, so they are the same on every run.
 */
public final class Normalization {
    public static final List<String> TYPES = List.of("none", "scale", "standard", "minmax");
    public static final Normalization NONE = new Normalization("none", 1, null, null);

    private final String type;
    private final double factor;
    // Per feature: x' = (x − shift[j]) / divisor[j]; mean and std for standard, min and range for minmax.
    private final double[] shift;
    private final double[] divisor;

    private Normalization(String type, double factor, double[] shift, double[] divisor) {
        this.type = type;
        this.factor = factor;
        this.shift = shift;
        this.divisor = divisor;
    }

    /** Fits {@code type} on the training data ({@code factor} is used by scale only). */
    public static Normalization fit(String type, double factor, Dataset train) {
        return switch (type) {
            case "none" -> NONE;
            case "scale" -> scale(factor);
            case "standard" -> standard(train);
            case "minmax" -> minMax(train);
            default -> throw unknownType(type);
        };
    }

    public static Normalization scale(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new BadInputException("normalize: scale needs a positive finite factor, got " + factor);
        }
        return new Normalization("scale", factor, null, null);
    }

    private static Normalization standard(Dataset train) {
        double[][] extremes = extremes(train);
        int n = train.size();
        int width = train.sampleSize();
        float[] x = train.features();
        double[] mean = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                mean[j] += x[i * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= n;
        }
        // Two passes (mean, then squared deviations) rather than E[x²] − E[x]², which cancels badly.
        double[] variance = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                double d = x[i * width + j] - mean[j];
                variance[j] += d * d;
            }
        }
        double[] std = new double[width];
        for (int j = 0; j < width; j++) {
            // NOTE: constancy is decided on min == max, which is exact, not on the computed std, so that no
            // rounding in the sums can give a constant feature a tiny std that would magnify noise.
            std[j] = extremes[0][j] == extremes[1][j] ? 1 : Math.sqrt(variance[j] / n);
        }
        return new Normalization("standard", 1, mean, std);
    }

    private static Normalization minMax(Dataset train) {
        double[][] extremes = extremes(train);
        double[] min = extremes[0];
        double[] max = extremes[1];
        double[] range = new double[min.length];
        for (int j = 0; j < range.length; j++) {
            range[j] = max[j] == min[j] ? 1 : max[j] - min[j];
        }
        return new Normalization("minmax", 1, min, range);
    }

    /** Per feature {min, max} of the training data. */
    private static double[][] extremes(Dataset train) {
        if (train.size() == 0) {
            throw new BadInputException(train.origin() + ": no samples to fit the normalisation on");
        }
        int n = train.size();
        int width = train.sampleSize();
        float[] x = train.features();
        double[] min = new double[width];
        double[] max = new double[width];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                float v = x[i * width + j];
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
        }
        return new double[][] {min, max};
    }

    public String type() {
        return type;
    }

    /**
     * Normalises {@code values[offset, offset + length)} in place, without allocating. The range must start
     * at a sample boundary and hold whole samples of the width this was fitted on; works on a whole data
     * set or on one batch.
     */
    public void apply(float[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        if (shift == null) {
            if (factor != 1) {
                for (int i = offset; i < offset + length; i++) {
                    values[i] = (float) (values[i] / factor);
                }
            }
            return;
        }
        int width = shift.length;
        if (length % width != 0) {
            throw new IllegalArgumentException(type + " normalisation fitted on " + width + " features cannot apply to "
                    + length + " values (not whole samples)");
        }
        for (int i = offset; i < offset + length; i += width) {
            for (int j = 0; j < width; j++) {
                values[i + j] = (float) ((values[i + j] - shift[j]) / divisor[j]);
            }
        }
    }

    /** Normalises all of {@code data}'s features in place. */
    public void apply(Dataset data) {
        if (shift != null && data.sampleSize() != shift.length) {
            throw new BadInputException(data.origin() + ": samples have " + data.sampleSize() + " features but the "
                    + type + " normalisation was fitted on " + shift.length);
        }
        apply(data.features(), 0, data.features().length);
    }

    /** JSON-friendly form: {type}, {type, factor}, {type, mean, std} or {type, min, range}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", type);
        switch (type) {
            case "scale" -> map.put("factor", factor);
            case "standard" -> {
                map.put("mean", list(shift));
                map.put("std", list(divisor));
            }
            case "minmax" -> {
                map.put("min", list(shift));
                map.put("range", list(divisor));
            }
            default -> {
            }
        }
        return map;
    }

    /** Reads what {@link #toMap()} wrote (numbers may come back as Long or Double from JSON). */
    public static Normalization fromMap(Map<String, Object> map) {
        if (!(map.get("type") instanceof String type)) {
            throw new BadInputException("normalization: `type` is missing or not a string: " + map.get("type"));
        }
        return switch (type) {
            case "none" -> NONE;
            case "scale" -> scale(number(map, "factor"));
            case "standard" -> stored(type, map, "mean", "std");
            case "minmax" -> stored(type, map, "min", "range");
            default -> throw unknownType(type);
        };
    }

    private static Normalization stored(String type, Map<String, Object> map, String shiftKey, String divisorKey) {
        double[] shift = numbers(map, shiftKey);
        double[] divisor = numbers(map, divisorKey);
        if (shift.length != divisor.length || shift.length == 0) {
            throw new BadInputException("normalization: " + type + " needs `" + shiftKey + "` and `" + divisorKey
                    + "` of the same non-zero length, got " + shift.length + " and " + divisor.length);
        }
        for (int j = 0; j < divisor.length; j++) {
            if (!(divisor[j] > 0) || !Double.isFinite(divisor[j]) || !Double.isFinite(shift[j])) {
                throw new BadInputException("normalization: " + type + " feature " + j + " has " + shiftKey + " "
                        + shift[j] + " and " + divisorKey + " " + divisor[j] + "; needs finite values and "
                        + divisorKey + " > 0");
            }
        }
        return new Normalization(type, 1, shift, divisor);
    }

    private static double number(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof Number n)) {
            throw new BadInputException("normalization: `" + key + "` is missing or not a number: " + map.get(key));
        }
        return n.doubleValue();
    }

    private static double[] numbers(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof List<?> list)) {
            throw new BadInputException("normalization: `" + key + "` is missing or not a list of numbers");
        }
        double[] values = new double[list.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new BadInputException("normalization: `" + key + "`[" + i + "] is not a number: " + list.get(i));
            }
            values[i] = n.doubleValue();
        }
        return values;
    }

    private static List<Double> list(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return list;
    }

    private static BadInputException unknownType(String type) {
        return new BadInputException("normalize: type '" + type + "' does not exist; known: " + String.join(", ", TYPES));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization other && type.equals(other.type) && factor == other.factor
                && Arrays.equals(shift, other.shift) && Arrays.equals(divisor, other.divisor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, factor, Arrays.hashCode(shift), Arrays.hashCode(divisor));
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
