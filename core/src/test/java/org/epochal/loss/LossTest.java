package org.epochal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epochal.tensor.Tensor;
import org.epochal.testing.Golden;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each loss against PyTorch's value and gradient, and against finite differences. */
class LossTest {
    @ParameterizedTest
    @CsvSource({"loss_cross_entropy, cross_entropy", "loss_cross_entropy_large, cross_entropy",
            "loss_mse, mse", "loss_bce_with_logits, bce_with_logits"})
    void matchesPyTorch(String fixture, String name) {
        Golden g = Golden.load(fixture);
        Loss loss = Loss.of(name);
        float value = loss.compute(g.tensor("input"), g.tensor("target"), true);
        float expected = g.scalar("loss");
        assertEquals(expected, value, 1e-5 * Math.max(1, Math.abs(expected)), fixture);
        g.assertClose("grad_input", loss.gradient(), 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"loss_cross_entropy, cross_entropy", "loss_mse, mse", "loss_bce_with_logits, bce_with_logits"})
    void gradientMatchesFiniteDifferences(String fixture, String name) {
        Golden g = Golden.load(fixture);
        GradientCheck.standard().check(Loss.of(name), g.tensor("input"), g.tensor("target"));
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogOfClassCount() {
        Tensor logits = new Tensor(3, 10);
        Tensor target = new Tensor(new float[] {0, 4, 9}, 3);
        assertEquals(Math.log(10), Loss.of("cross_entropy").compute(logits, target, false), 1e-6);
    }

    @Test
    void crossEntropyStaysFiniteForHugeLogits() {
        Tensor logits = new Tensor(new float[] {1e30f, -1e30f, 0f, 3e38f}, 2, 2);
        Tensor target = new Tensor(new float[] {1, 0}, 2);
        Loss loss = Loss.of("cross_entropy");
        float value = loss.compute(logits, target, true);
        assertTrue(Float.isFinite(value), "loss " + value);
        for (int i = 0; i < 4; i++) {
            assertTrue(Float.isFinite(loss.gradient().data()[i]));
        }
    }

    @Test
    void crossEntropyRefusesALabelOutsideTheClasses() {
        Tensor logits = new Tensor(2, 3);
        Tensor target = new Tensor(new float[] {1, 3}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.of("cross_entropy").compute(logits, target, false));
        assertTrue(e.getMessage().contains("label 3.0 of sample 1"), e.getMessage());
    }

    @Test
    void mseRefusesATargetOfAnotherShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.of("mse").compute(new Tensor(4, 2), new Tensor(4, 3), false));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void unknownLossNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.of("hinge"));
        assertTrue(e.getMessage().contains("cross_entropy, mse or bce_with_logits"), e.getMessage());
    }
}
