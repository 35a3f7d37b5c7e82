package org.epochal.loss;

import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A loss over a batch, mean-reduced as PyTorch's default. One call gives the value and, when asked,
 * writes dLoss/dOutput into {@link #gradient()} (a buffer the loss owns and reuses).
 *
 * <p>Targets are float tensors: class indices for cross_entropy ([batch]), values of the output's shape
 * for mse and bce_with_logits.
 */
public abstract class Loss {
    private Tensor gradient;
    /** A step by halves' output and target ({@link #prepareHalves}). */
    private Tensor halvesOutput;
    private Tensor halvesTarget;

    /** The experiment-file name: "cross_entropy", "mse", "bce_with_logits". */
    public abstract String name();

    /** Mean loss of the batch; fills the gradient when {@code withGradient}. */
    public final float compute(Tensor output, Tensor target, boolean withGradient) {
        checkTarget(output, target);
        float[] grad = null;
        if (withGradient) {
            gradient = Tensor.reuse(gradient, output.batch(), output.sampleShape());
            grad = gradient.data();
        }
        int n = output.batch();
        int d = output.sampleSize();
        return (float) (sumRows(output.data(), target.data(), 0, n, n, d, grad, 0) / divisor(n, d));
    }

    /** The gradient written by the last {@code compute(..., true)} or step by halves. */
    public Tensor gradient() {
        return gradient;
    }

    /**
     * Before a step by halves of the batch (Sequential#trainByHalves), on the caller: checks the target and
     * sizes the gradient buffer that {@link #halfSum} fills row by row.
     */
    public final void prepareHalves(Tensor output, Tensor target) {
        checkTarget(output, target);
        gradient = Tensor.reuse(gradient, output.batch(), output.sampleShape());
        halvesOutput = output;
        halvesTarget = target;
    }

    /**
     * Samples [from, to) of the prepared batch, on the calling thread: writes their gradient rows and returns
     * the sum of their losses; {@code half} (0 or 1) picks the scratch, so the two halves may run at once.
     */
    public final double halfSum(int from, int to, int half) {
        return sumRows(halvesOutput.data(), halvesTarget.data(), from, to, halvesOutput.batch(),
                halvesOutput.sampleSize(), gradient.data(), half);
    }

    /** The mean loss of a step by halves from its halves' sums ({@link #halfSum}). */
    public final float halvesValue(double first, double second) {
        return (float) ((first + second) / divisor(halvesOutput.batch(), halvesOutput.sampleSize()));
    }

    /**
     * The sum of the losses of samples [from, to) of a batch of n with d outputs each, in order; when grad is
     * not null, writes their gradient rows (the whole batch's mean's: divided by {@link #divisor}). Uses
     * scratch {@code half} (0 or 1) only.
     */
    protected abstract double sumRows(float[] out, float[] target, int from, int to, int n, int d, float[] grad,
                                      int half);

    /** What the sum over the batch is divided by for the mean: samples, or elements. */
    protected abstract double divisor(int n, int d);

    protected void checkTarget(Tensor output, Tensor target) {
        if (target.size() != output.size()) {
            throw new IllegalArgumentException(name() + ": target shape " + Shapes.toString(target.shape())
                    + " does not match output shape " + Shapes.toString(output.shape()));
        }
    }

    public static Loss of(String name) {
        return switch (name) {
            case "cross_entropy" -> new CrossEntropy();
            case "mse" -> new Mse();
            case "bce_with_logits" -> new BceWithLogits();
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "' (expected cross_entropy, mse or bce_with_logits)");
        };
    }
}
