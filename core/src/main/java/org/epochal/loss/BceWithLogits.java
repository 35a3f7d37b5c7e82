package org.epochal.loss;

/**
 * Binary cross-entropy on logits, as nn.BCEWithLogitsLoss: ℓ = max(x, 0) − x·t + log(1 + e^−|x|), the
 * stable form of −[t·log σ(x) + (1 − t)·log(1 − σ(x))]; mean over every element; gradient (σ(x) − t)/(n·d).
 */
public final class BceWithLogits extends Loss {
    @Override
    public String name() {
        return "bce_with_logits";
    }

    @Override
    protected double sumRows(float[] out, float[] target, int from, int to, int n, int d, float[] grad, int half) {
        int size = n * d;
        double total = 0;
        for (int i = from * d; i < to * d; i++) {
            double x = out[i];
            double t = target[i];
            total += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
            if (grad != null) {
                double sigmoid = 1.0 / (1.0 + Math.exp(-x));
                grad[i] = (float) ((sigmoid - t) / size);
            }
        }
        return total;
    }

    @Override
    protected double divisor(int n, int d) {
        return (double) n * d;
    }
}
