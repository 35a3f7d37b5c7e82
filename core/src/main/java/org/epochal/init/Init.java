package org.epochal.init;

import org.epochal.rng.Rng;

/**
 * How to fill a parameter: PyTorch's default for the layer, or one of torch.nn.init's schemes.
 *
 * <p>Fans follow torch.nn.init._calculate_fan_in_and_fan_out: for a weight [out, in, kh, kw],
 * fanIn = in·kh·kw and fanOut = out·kh·kw. A bias has no fans of its own (PyTorch refuses kaiming and
 * xavier on 1-d tensors); here it uses its layer's weight fans, which is what a user asking for
 * "kaiming bias" means. All draws come from the one {@link Rng}, so one seed fixes every weight.
 */
public record Init(Kind kind, double a, double b) {
    public enum Kind {
        DEFAULT, KAIMING_UNIFORM, KAIMING_NORMAL, XAVIER_UNIFORM, XAVIER_NORMAL, ZEROS, ONES, NORMAL, UNIFORM, CONSTANT
    }

    public static final Init DEFAULT = new Init(Kind.DEFAULT, 0, 0);
    public static final Init ZEROS = new Init(Kind.ZEROS, 0, 0);
    public static final Init ONES = new Init(Kind.ONES, 0, 0);
    public static final Init KAIMING_UNIFORM = new Init(Kind.KAIMING_UNIFORM, 0, 0);
    public static final Init KAIMING_NORMAL = new Init(Kind.KAIMING_NORMAL, 0, 0);
    public static final Init XAVIER_UNIFORM = new Init(Kind.XAVIER_UNIFORM, 0, 0);
    public static final Init XAVIER_NORMAL = new Init(Kind.XAVIER_NORMAL, 0, 0);

    /** Normal with mean 0 and the given standard deviation (torch.nn.init.normal_(std=...)). */
    public static Init normal(double std) {
        return new Init(Kind.NORMAL, 0.0, std);
    }

    public static Init normal(double mean, double std) {
        return new Init(Kind.NORMAL, mean, std);
    }

    public static Init uniform(double low, double high) {
        return new Init(Kind.UNIFORM, low, high);
    }

    public static Init constant(double value) {
        return new Init(Kind.CONSTANT, value, 0);
    }

    /** The named schemes that take no numbers: "kaiming_uniform", "zeros", ...; null if unknown. */
    public static Init named(String name) {
        return switch (name) {
            case "default" -> DEFAULT;
            case "zeros" -> ZEROS;
            case "ones" -> ONES;
            case "kaiming_uniform" -> KAIMING_UNIFORM;
            case "kaiming_normal" -> KAIMING_NORMAL;
            case "xavier_uniform" -> XAVIER_UNIFORM;
            case "xavier_normal" -> XAVIER_NORMAL;
            default -> null;
        };
    }

    /**
     * Fills {@code values[0..size)}. {@code fallback} is used for {@link Kind#DEFAULT} (the layer's own
     * PyTorch default) and must not itself be DEFAULT.
     */
    public void fill(float[] values, int size, int fanIn, int fanOut, Init fallback, Rng rng) {
        if (kind == Kind.DEFAULT) {
            fallback.fill(values, size, fanIn, fanOut, null, rng);
            return;
        }
        // Gains: kaiming uses nonlinearity leaky_relu with a=0 (PyTorch's default), gain = √2.
        switch (kind) {
            case ZEROS -> java.util.Arrays.fill(values, 0, size, 0f);
            case ONES -> java.util.Arrays.fill(values, 0, size, 1f);
            case CONSTANT -> java.util.Arrays.fill(values, 0, size, (float) a);
            case UNIFORM -> uniform(values, size, a, b, rng);
            case NORMAL -> normal(values, size, a, b, rng);
            case KAIMING_UNIFORM -> {
                double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / fans(fanIn)); // gain·√(3/fanIn)
                uniform(values, size, -bound, bound, rng);
            }
            case KAIMING_NORMAL -> normal(values, size, 0, Math.sqrt(2.0) / Math.sqrt(fans(fanIn)), rng);
            case XAVIER_UNIFORM -> {
                double bound = Math.sqrt(6.0 / fans(fanIn + fanOut)); // √(6/(fanIn+fanOut))
                uniform(values, size, -bound, bound, rng);
            }
            case XAVIER_NORMAL -> normal(values, size, 0, Math.sqrt(2.0 / fans(fanIn + fanOut)), rng);
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /**
     * PyTorch's default for Linear and Conv weights: kaiming_uniform_(a=√5), which reduces to U(−b, b) with
     * b = 1/√fanIn; their bias default is the same bound. This is that distribution.
     */
    public static Init pytorchLinearDefault(int fanIn) {
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0;
        return uniform(-bound, bound);
    }

    private static int fans(int fan) {
        if (fan <= 0) {
            throw new IllegalArgumentException("cannot initialise a tensor with no inputs (fan 0)");
        }
        return fan;
    }

    private static void uniform(float[] values, int size, double low, double high, Rng rng) {
        for (int i = 0; i < size; i++) {
            values[i] = (float) (low + (high - low) * rng.nextDouble());
        }
    }

    private static void normal(float[] values, int size, double mean, double std, Rng rng) {
        for (int i = 0; i < size; i++) {
            values[i] = (float) (mean + std * rng.nextGaussian());
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NORMAL -> "normal(mean=" + a + ", std=" + b + ")";
            case UNIFORM -> "uniform(" + a + ", " + b + ")";
            case CONSTANT -> "constant(" + a + ")";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
