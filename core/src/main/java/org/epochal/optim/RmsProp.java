package org.epochal.optim;

import java.util.List;
import java.util.Map;
import org.epochal.layer.Parameter;

/**
 * torch.optim.RMSprop: g = ∇ + wd·θ; v = α·v + (1 − α)·g²;
 * centered: ḡ = α·ḡ + (1 − α)·g, avg = √(v − ḡ²) + eps; else avg = √v + eps;
 * with momentum: b = μ·b + g/avg, θ = θ − lr·b (b starts at zero); else θ = θ − lr·g/avg.
 */
public final class RmsProp extends Optimizer {
    private final float alpha, eps, momentum, weightDecay;
    private final float oneMinusAlpha; // 1 − α in double, then float, as PyTorch passes it
    private final boolean centered;
    private final float[][] squareAvg, gradAvg, buffers;

    public RmsProp(List<Parameter> params, double lr, double alpha, double eps, double weightDecay,
                   double momentum, boolean centered) {
        super(params, lr);
        require(alpha >= 0, "rmsprop: alpha must be >= 0, got " + alpha);
        require(eps >= 0, "rmsprop: eps must be >= 0, got " + eps);
        require(momentum >= 0, "rmsprop: momentum must be >= 0, got " + momentum);
        require(weightDecay >= 0, "rmsprop: weight_decay must be >= 0, got " + weightDecay);
        this.alpha = (float) alpha;
        this.oneMinusAlpha = (float) (1 - alpha);
        this.eps = (float) eps;
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        this.centered = centered;
        this.squareAvg = zerosLikeParams();
        this.gradAvg = centered ? zerosLikeParams() : null;
        this.buffers = momentum > 0 ? zerosLikeParams() : null;
    }

    /** PyTorch's defaults: alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
    public static RmsProp of(List<Parameter> params, double lr) {
        return new RmsProp(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    public String type() {
        return "rmsprop";
    }

    @Override
    protected void update(int index, float[] p, float[] grad, int from, int to) {
        float rate = (float) lr;
        float[] v = squareAvg[index];
        float[] ga = gradAvg == null ? null : gradAvg[index];
        float[] b = buffers == null ? null : buffers[index];
        for (int i = from; i < to; i++) {
            float g = grad[i];
            if (weightDecay != 0) {
                g = g + weightDecay * p[i];
            }
            v[i] = v[i] * alpha + oneMinusAlpha * (g * g);
            float avg;
            if (ga != null) {
                ga[i] = ga[i] * alpha + oneMinusAlpha * g;
                avg = (float) Math.sqrt(v[i] - ga[i] * ga[i]) + eps;
            } else {
                avg = (float) Math.sqrt(v[i]) + eps;
            }
            if (b != null) {
                b[i] = b[i] * momentum + g / avg;
                p[i] = p[i] - rate * b[i];
            } else {
                p[i] = p[i] - rate * (g / avg);
            }
        }
    }

    @Override
    protected void addState(Map<String, float[]> state) {
        put(state, "square_avg", squareAvg);
        put(state, "grad_avg", gradAvg);
        put(state, "momentum_buffer", buffers);
    }
}
