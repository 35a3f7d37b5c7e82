package org.epochal.optim;

import java.util.List;
import org.epochal.layer.Parameter;

/**
 * Global gradient norm and torch.nn.utils.clip_grad_norm_: total = ‖(‖g₁‖, ‖g₂‖, ...)‖₂,
 * coef = min(1, maxNorm / (total + 1e-6)), every gradient multiplied by coef.
 * Sums run in double, parameter by parameter in order: the same bits for any thread count.
 */
public final class GradClip {
    private GradClip() {
    }

    /** The L2 norm of all gradients together. */
    public static double globalNorm(List<Parameter> params) {
        double total = 0;
        for (Parameter p : params) {
            total += squares(p.grad());
        }
        return Math.sqrt(total);
    }

    /**
     * Σ g² in double with four interleaved accumulators (element i goes to accumulator i mod 4), combined
     * as (s0 + s1) + (s2 + s3): four independent add chains run about four times faster than one, and the
     * order is fixed, so the result is the same on every run and thread count.
     */
    public static double squares(float[] g) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= g.length; i += 4) {
            s0 += (double) g[i] * g[i];
            s1 += (double) g[i + 1] * g[i + 1];
            s2 += (double) g[i + 2] * g[i + 2];
            s3 += (double) g[i + 3] * g[i + 3];
        }
        for (; i < g.length; i++) {
            s0 += (double) g[i] * g[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Scales the gradients so their global norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGradNorm(List<Parameter> params, double maxNorm) {
        double total = globalNorm(params);
        float coef = (float) Math.min(1.0, maxNorm / (total + 1e-6));
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) {
                g[i] *= coef;
            }
        }
        return total;
    }
}
