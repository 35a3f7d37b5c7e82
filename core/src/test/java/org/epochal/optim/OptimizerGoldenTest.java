package org.epochal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.epochal.layer.Linear;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.layer.Tanh;
import org.epochal.loss.Loss;
import org.epochal.tensor.Tensor;
import org.epochal.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ten full-batch steps of each optimizer on PyTorch's initial weights give PyTorch's weights and losses
 * (Linear(4,6)-Tanh-Linear(6,3), cross-entropy; the fixture's metadata holds the hyper-parameters).
 */
class OptimizerGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_wd", "adamw", "rmsprop",
            "rmsprop_centered", "sgd_clip"})
    void tenStepsMatchPyTorch(String name) {
        Golden g = Golden.load("optim_" + name);
        Sequential model = new Sequential(new int[] {4}, new Linear(6), new Tanh(), new Linear(3));
        for (Map.Entry<String, Parameter> e : model.namedParams().entrySet()) {
            g.copyInto("init." + e.getKey(), e.getValue());
        }
        Optimizer optimizer = build(g.json("optimizer"), model.params());
        String clip = g.metadata("clip_grad_norm");
        Loss loss = Loss.of("cross_entropy");
        Tensor x = g.tensor("x");
        Tensor y = g.tensor("y");
        float[] losses = new float[10];
        for (int step = 0; step < 10; step++) {
            model.zeroGrad();
            losses[step] = loss.compute(model.forward(x, true), y, true);
            model.backward(loss.gradient());
            if (clip != null) {
                GradClip.clipGradNorm(model.params(), Double.parseDouble(clip));
            }
            optimizer.step();
        }
        Golden.assertClose(name + " losses", g.tensor("losses").data(), losses, 10, 1e-5);
        for (Map.Entry<String, Parameter> e : model.namedParams().entrySet()) {
            g.assertClose("final." + e.getKey(), e.getValue(), e.getValue().data(), 1e-4);
        }
        assertEquals(10, optimizer.steps());
    }

    /** The optimizer a fixture's metadata describes, e.g. {"type":"sgd","lr":0.1,"momentum":0.9,...}. */
    private static Optimizer build(Map<String, Object> o, List<Parameter> params) {
        double lr = num(o, "lr");
        return switch ((String) o.get("type")) {
            case "sgd" -> new Sgd(params, lr, num(o, "momentum"), num(o, "dampening"), num(o, "weight_decay"),
                    (Boolean) o.get("nesterov"));
            case "adam", "adamw" -> {
                List<?> betas = (List<?>) o.get("betas");
                yield new Adam(params, lr, ((Number) betas.get(0)).doubleValue(),
                        ((Number) betas.get(1)).doubleValue(), num(o, "eps"), num(o, "weight_decay"),
                        o.get("type").equals("adamw"));
            }
            case "rmsprop" -> new RmsProp(params, lr, num(o, "alpha"), num(o, "eps"), num(o, "weight_decay"),
                    num(o, "momentum"), (Boolean) o.get("centered"));
            default -> throw new IllegalArgumentException(o.toString());
        };
    }

    private static double num(Map<String, Object> o, String key) {
        return ((Number) o.get(key)).doubleValue();
    }
}
