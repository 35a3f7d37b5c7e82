package org.epochal.loss;

/** Mean squared error over every element, as nn.MSELoss: mean((x − t)²); gradient 2(x − t)/(n·d). */
public final class Mse extends Loss {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    protected float compute(float[] out, float[] target, int n, int d, float[] grad) {
        int size = n * d;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double diff = (double) out[i] - target[i];
            total += diff * diff;
            if (grad != null) {
                grad[i] = (float) (2.0 * diff / size);
            }
        }
        return (float) (total / size);
    }
}
