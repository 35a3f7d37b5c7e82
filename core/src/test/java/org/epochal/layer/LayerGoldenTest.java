package org.epochal.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.epochal.testing.Golden;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layer against PyTorch's numbers (forward and gradients) and against finite differences. */
class LayerGoldenTest {
    static Iterable<LayerCases.Case> cases() {
        return LayerCases.all();
    }

    /** Builds the case's layer for the fixture's input and loads the fixture's weights and statistics. */
    private static Layer prepare(LayerCases.Case c, Golden g) {
        Tensor input = g.tensor("input");
        Layer layer = c.layer().get();
        layer.build(0, input.sampleShape());
        for (Parameter p : layer.params()) {
            g.copyInto(p.name(), p);
        }
        for (Parameter b : layer.buffers()) {
            g.copyInto(b.name(), b);
        }
        return layer;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(LayerCases.Case c) {
        for (int threads : new int[] {1, 2}) {
            Golden g = Golden.load(c.fixture());
            Layer layer = prepare(c, g);
            try (Parallel parallel = new Parallel(threads)) {
                layer.setParallel(parallel);
                Tensor out = layer.forward(g.tensor("input"), c.training());
                g.assertClose("output", out, 1e-5);
                Tensor dx = layer.backward(g.tensor("grad_output"), true);
                g.assertClose("grad_input", dx, 1e-5);
                for (Parameter p : layer.params()) {
                    g.assertClose("grad_" + p.name(), p, p.grad(), 1e-5);
                }
                if (g.has("running_mean_after")) {
                    BatchNorm bn = (BatchNorm) layer;
                    g.assertClose("running_mean_after", bn.runningMean().value(), 1e-5);
                    g.assertClose("running_var_after", bn.runningVar().value(), 1e-5);
                    assertEquals(1, bn.batchesTracked());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(LayerCases.Case c) {
        Golden g = Golden.load(c.fixture());
        Layer layer = prepare(c, g);
        GradientCheck check = c.fixture().startsWith("maxpool") || c.fixture().contains("relu")
                ? new GradientCheck(1e-3, 2e-2, 2e-3) // kinks: a small step that does not cross them
                : GradientCheck.standard();
        check.check(layer, g.tensor("input"), c.training());
    }
}
