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
        return compute(output.data(), target.data(), output.batch(), output.sampleSize(), grad);
    }

    /** The gradient written by the last {@code compute(..., true)}. */
    public Tensor gradient() {
        return gradient;
    }

    /** n = batch, d = outputs per sample; grad may be null. */
    protected abstract float compute(float[] out, float[] target, int n, int d, float[] grad);

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
