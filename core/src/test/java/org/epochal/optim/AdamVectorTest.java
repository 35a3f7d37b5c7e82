package org.epochal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.epochal.kernel.Elementwise;
import org.epochal.layer.Parameter;
import org.junit.jupiter.api.Test;

/** The vector Adam update gives the same bits as PyTorch's element-by-element formula, at odd sizes too. */
class AdamVectorTest {
    @Test
    void vectorStepsEqualScalarSteps() {
        for (int n : new int[] {1, 3, 17, 1000, 70_000}) {
            for (int variant = 0; variant < 3; variant++) {
                Parameter a = parameter(n);
                Parameter b = parameter(n);
                Adam fast = adam(variant, a);
                Adam plain = adam(variant, b);
                float[] m = new float[n];
                float[] v = new float[n];
                SplittableRandom r = new SplittableRandom(n * 3L + variant);
                for (int step = 0; step < 5; step++) {
                    for (int i = 0; i < n; i++) {
                        float g = (float) (r.nextGaussian() * (i % 7 == 0 ? 1e-6 : 0.1));
                        a.grad()[i] = g;
                        b.grad()[i] = g;
                    }
                    fast.step();
                    plain.steps++;
                    plain.beginStep();
                    Elementwise.adamScalar(b.data(), b.grad(), m, v, 0, n, plain.factors());
                    assertArrayEquals(b.data(), a.data(), "n=" + n + " variant=" + variant + " step=" + step);
                }
            }
        }
    }

    private static Adam adam(int variant, Parameter p) {
        return switch (variant) {
            case 0 -> Adam.adam(List.of(p), 1e-3);
            case 1 -> new Adam(List.of(p), 3e-3, 0.8, 0.99, 1e-6, 0.05, false);
            default -> Adam.adamw(List.of(p), 1e-2);
        };
    }

    private static Parameter parameter(int n) {
        Parameter p = new Parameter("w", n);
        SplittableRandom r = new SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            p.data()[i] = (float) r.nextGaussian();
        }
        return p;
    }
}
