package org.epochal.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.epochal.layer.Layer;
import org.epochal.layer.Parameter;
import org.epochal.loss.Loss;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * The one finite-difference gradient check every layer and loss goes through (Caffe's GradientChecker).
 *
 * <p>The objective is f = Σ output·r for a fixed random r, summed in double; its analytic gradient is what
 * backward returns for gradOutput = r. Each input and parameter element is perturbed by ±h and the
 * central difference (f(x+h) − f(x−h)) / (x+h − x−h) uses the perturbation actually stored in float.
 * Agreement: |analytic − numeric| ≤ rtol·|numeric| + atol·(largest |numeric| of that tensor).
 */
public final class GradientCheck {
    private final double step;
    private final double rtol;
    private final double atol;
    private Runnable beforeForward = () -> { };

    public GradientCheck(double step, double rtol, double atol) {
        this.step = step;
        this.rtol = rtol;
        this.atol = atol;
    }

    /** Defaults that suit float32 forward passes of smooth functions. */
    public static GradientCheck standard() {
        return new GradientCheck(1e-2, 2e-2, 2e-3);
    }

    /** Runs before every forward (e.g. to reset a dropout generator so each pass draws the same mask). */
    public GradientCheck beforeForward(Runnable hook) {
        this.beforeForward = hook;
        return this;
    }

    /** Checks dInput and every parameter gradient of a built, initialised layer at {@code input}. */
    public void check(Layer layer, Tensor input, boolean training) {
        beforeForward.run();
        Tensor out = layer.forward(input, training);
        Tensor r = randomLike(out, 7);
        for (Parameter p : layer.params()) {
            java.util.Arrays.fill(p.grad(), 0f);
        }
        beforeForward.run();
        layer.forward(input, training);
        Tensor dx = layer.backward(r, true).copy();
        List<float[]> paramGrads = new ArrayList<>();
        for (Parameter p : layer.params()) {
            paramGrads.add(p.grad().clone());
        }
        Supplier<Double> objective = () -> {
            beforeForward.run();
            return dot(layer.forward(input, training), r);
        };
        compare(layer.where() + " input", input.data(), input.size(), dx.data(), objective);
        for (int i = 0; i < paramGrads.size(); i++) {
            Parameter p = layer.params().get(i);
            compare(layer.where() + " " + p.name(), p.data(), p.size(), paramGrads.get(i), objective);
        }
    }

    /** Checks a loss's gradient w.r.t. its input. */
    public void check(Loss loss, Tensor output, Tensor target) {
        loss.compute(output, target, true);
        float[] analytic = loss.gradient().copy().data();
        compare(loss.name(), output.data(), output.size(), analytic, () -> (double) loss.compute(output, target, false));
    }

    private void compare(String what, float[] x, int size, float[] analytic, Supplier<Double> f) {
        double[] numeric = new double[size];
        double largest = 0;
        for (int i = 0; i < size; i++) {
            float original = x[i];
            float plus = (float) (original + step * Math.max(1.0, Math.abs(original)));
            float minus = (float) (original - step * Math.max(1.0, Math.abs(original)));
            x[i] = plus;
            double fPlus = f.get();
            x[i] = minus;
            double fMinus = f.get();
            x[i] = original;
            numeric[i] = (fPlus - fMinus) / ((double) plus - minus);
            largest = Math.max(largest, Math.abs(numeric[i]));
        }
        assertTrue(largest > 0, what + ": every numeric gradient is zero, the check would prove nothing");
        for (int i = 0; i < size; i++) {
            double diff = Math.abs(analytic[i] - numeric[i]);
            if (diff > rtol * Math.abs(numeric[i]) + atol * largest) {
                fail(what + " gradient [" + i + "]: analytic " + analytic[i] + " vs numeric " + numeric[i]);
            }
        }
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.data()[i] * b.data()[i];
        }
        return s;
    }

    /** A tensor of a's shape with normal(0, 1) entries from a fixed seed. */
    public static Tensor randomLike(Tensor a, long seed) {
        Rng rng = new Rng(seed);
        Tensor t = new Tensor(a.shape());
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rng.nextGaussian();
        }
        return t;
    }

    /** A tensor of the given shape with normal(0, std) entries. */
    public static Tensor random(long seed, double std, int... shape) {
        Rng rng = new Rng(seed);
        Tensor t = new Tensor(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (std * rng.nextGaussian());
        }
        return t;
    }
}
