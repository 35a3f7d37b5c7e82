package org.epochal.loss;

/** Mean squared error over every element, as nn.MSELoss: mean((x − t)²); gradient 2(x − t)/(n·d). */
public final class Mse extends Loss {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    protected double sumRows(float[] out, float[] target, int from, int to, int n, int d, float[] grad, int half) {
        int size = n * d;
        double total = 0;
        for (int i = from * d; i < to * d; i++) {
            double diff = (double) out[i] - target[i];
            total += diff * diff;
            if (grad != null) {
                grad[i] = (float) (2.0 * diff / size);
            }
        }
        return total;
    }

    @Override
    protected double divisor(int n, int d) {
        return (double) n * d;
    }
}
