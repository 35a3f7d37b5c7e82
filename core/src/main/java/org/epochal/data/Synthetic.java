package org.epochal.data;

import java.util.List;
import org.epochal.BadInputException;
import org.epochal.rng.Rng;

/**
 * Generated data sets for examples and tests, each a pure function of its spec: the same spec gives the
 * same bits on every machine.
 *
 * <p>The problem (cluster centres, regression weights) and the points come from two streams derived
 * from the seed, so that changing {@code samples} keeps the same problem and only adds or removes points.
 */
final class Synthetic {
    static final List<String> KINDS = List.of("blobs", "regression");
    // Half-width of the box the blob centres are drawn from: [-5, 5]^features.
    private static final double CENTRE_BOX = 5.0;
    private static final double CLUSTER_STD = 1.0;
    private static final double NOISE_STD = 0.1;
    private static final long PROBLEM_STREAM = 1;
    private static final long POINT_STREAM = 2;

    private Synthetic() {
    }

    static Dataset load(SourceSpec.Synthetic spec, TargetKind kind) {
        String name = "synthetic " + spec.kind();
        if (!KINDS.contains(spec.kind())) {
            throw new BadInputException("synthetic kind '" + spec.kind() + "' does not exist; known: "
                    + String.join(", ", KINDS));
        }
        if (spec.samples() < 1) {
            throw new BadInputException(name + ": samples must be at least 1, got " + spec.samples());
        }
        if (spec.features() < 1) {
            throw new BadInputException(name + ": features must be at least 1, got " + spec.features());
        }
        if ((long) spec.samples() * spec.features() > Integer.MAX_VALUE - 8) {
            throw new BadInputException(name + ": " + spec.samples() + " samples x " + spec.features()
                    + " features is more than 2^31 values");
        }
        String origin = name + " (seed " + spec.seed() + ")";
        if (spec.kind().equals("blobs")) {
            if (spec.classes() < 2) {
                throw new BadInputException(name + ": classes must be at least 2, got " + spec.classes());
            }
            return blobs(spec.samples(), spec.features(), spec.classes(), spec.seed(), origin);
        }
        if (kind == TargetKind.CLASS_INDEX) {
            throw new BadInputException(name + ": its targets are real numbers, not classes; use a value loss"
                    + " (mse) with it, or kind: blobs for classification");
        }
        return regression(spec.samples(), spec.features(), spec.seed(), origin);
    }

    /**
     * {@code classes} Gaussian clusters (std 1) around centres uniform in [-5, 5]^features; sample i
     * belongs to class i % classes, so classes are balanced and interleaved. The target is the class
     * index (the same number serves as a value target).
     */
    private static Dataset blobs(int samples, int features, int classes, long seed, String origin) {
        Rng problem = Rng.derive(seed, PROBLEM_STREAM);
        double[] centres = new double[classes * features];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (2 * problem.nextDouble() - 1) * CENTRE_BOX;
        }
        Rng points = Rng.derive(seed, POINT_STREAM);
        float[] x = new float[samples * features];
        float[] y = new float[samples];
        for (int i = 0; i < samples; i++) {
            int c = i % classes;
            y[i] = c;
            for (int j = 0; j < features; j++) {
                x[i * features + j] = (float) (centres[c * features + j] + CLUSTER_STD * points.nextGaussian());
            }
        }
        return new Dataset(x, new int[] {features}, y, 1, List.of(), origin);
    }

    /** x ~ N(0, 1)^features, y = x·w + b + ε with w, b ~ N(0, 1) and ε ~ N(0, 0.1²); one value target. */
    private static Dataset regression(int samples, int features, long seed, String origin) {
        Rng problem = Rng.derive(seed, PROBLEM_STREAM);
        double[] w = new double[features];
        for (int j = 0; j < features; j++) {
            w[j] = problem.nextGaussian();
        }
        double b = problem.nextGaussian();
        Rng points = Rng.derive(seed, POINT_STREAM);
        float[] x = new float[samples * features];
        float[] y = new float[samples];
        for (int i = 0; i < samples; i++) {
            double sum = b;
            for (int j = 0; j < features; j++) {
                float xij = (float) points.nextGaussian();
                x[i * features + j] = xij;
                // The target uses the stored float x, so a model sees exactly the x that produced y.
                sum += xij * w[j];
            }
            y[i] = (float) (sum + NOISE_STD * points.nextGaussian());
        }
        return new Dataset(x, new int[] {features}, y, 1, List.of(), origin);
    }
}
