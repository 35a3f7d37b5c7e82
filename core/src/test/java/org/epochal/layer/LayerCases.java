package org.epochal.layer;

import java.util.List;
import java.util.function.Supplier;

/** The layer configurations of the PyTorch fixtures (tools/golden/generate.py), by fixture name. */
final class LayerCases {
    record Case(String fixture, Supplier<Layer> layer, boolean training) {
        @Override
        public String toString() {
            return fixture;
        }
    }

    static List<Case> all() {
        return List.of(
                new Case("linear", () -> new Linear(4), true),
                new Case("conv2d_s2p1", () -> new Conv2d(3, 3, 2, 1), true),
                new Case("conv2d_k2", () -> new Conv2d(4, 2, 1, 0), true),
                new Case("maxpool2d", () -> new MaxPool2d(2, 2), true),
                new Case("maxpool2d_k3s2", () -> new MaxPool2d(3, 2), true),
                new Case("avgpool2d", () -> new AvgPool2d(3, 2), true),
                new Case("flatten", Flatten::new, true),
                new Case("relu", ReLU::new, true),
                new Case("leaky_relu", () -> new LeakyReLU(0.1), true),
                new Case("sigmoid", Sigmoid::new, true),
                new Case("tanh", Tanh::new, true),
                new Case("gelu", Gelu::new, true),
                new Case("batchnorm1d_train", BatchNorm::new, true),
                new Case("batchnorm1d_eval", BatchNorm::new, false),
                new Case("batchnorm2d_train", BatchNorm::new, true),
                new Case("batchnorm2d_eval", BatchNorm::new, false),
                new Case("layernorm", LayerNorm::new, true),
                new Case("layernorm_chw", LayerNorm::new, true));
    }

    private LayerCases() {
    }
}
