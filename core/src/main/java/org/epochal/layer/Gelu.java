package org.epochal.layer;

/**
 * Exact GELU, PyTorch's default: y = x·Φ(x), Φ(x) = ½·erfc(−x/√2); dy/dx = Φ(x) + x·φ(x),
 * φ(x) = e^(−x²/2)/√(2π). Evaluated in double.
 */
public final class Gelu extends Activation {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    @Override
    public String type() {
        return "gelu";
    }

    @Override
    protected void apply(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            y[i] = (float) (v * 0.5 * erfc(-v * INV_SQRT2));
        }
    }

    @Override
    protected void derive(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            double cdf = 0.5 * erfc(-v * INV_SQRT2);
            double pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
            dx[i] = (float) (dy[i] * (cdf + v * pdf));
        }
    }

    /**
     * Complementary error function with fractional error below 1.2e-7 everywhere (the Chebyshev fit of
     * Numerical Recipes §6.2): well inside float32's precision, so GELU is correct to the last bits that matter.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
