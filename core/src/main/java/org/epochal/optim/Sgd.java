package org.epochal.optim;

import java.util.List;
import java.util.Map;
import org.epochal.layer.Parameter;

/**
 * torch.optim.SGD:
 * g = ∇ + wd·θ; with momentum: b = g on the first step, else b = μ·b + (1 − dampening)·g;
 * g = g + μ·b if nesterov else b; θ = θ − lr·g.
 */
public final class Sgd extends Optimizer {
    private final float momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final float oneMinusDampening;
    private final float[][] buffers;

    public Sgd(List<Parameter> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(params, lr);
        require(momentum >= 0, "sgd: momentum must be >= 0, got " + momentum);
        require(weightDecay >= 0, "sgd: weight_decay must be >= 0, got " + weightDecay);
        require(!nesterov || (momentum > 0 && dampening == 0),
                "sgd: nesterov needs momentum > 0 and dampening 0");
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        this.oneMinusDampening = (float) (1 - dampening);
        this.buffers = momentum != 0 ? zerosLikeParams() : null;
    }

    public Sgd(List<Parameter> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    @Override
    public String type() {
        return "sgd";
    }

    @Override
    protected void update(int index, float[] p, float[] grad, int from, int to) {
        float rate = (float) lr;
        float[] b = buffers == null ? null : buffers[index];
        for (int i = from; i < to; i++) {
            float g = grad[i];
            if (weightDecay != 0) {
                g = g + weightDecay * p[i];
            }
            if (b != null) {
                b[i] = steps == 1 ? g : momentum * b[i] + oneMinusDampening * g;
                g = nesterov ? g + momentum * b[i] : b[i];
            }
            p[i] = p[i] - rate * g;
        }
    }

    @Override
    protected void addState(Map<String, float[]> state) {
        put(state, "momentum_buffer", buffers);
    }
}
