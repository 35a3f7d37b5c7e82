package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Layers that stopped learning even when the loss still falls (ids added to SPEC's): saturated_activations,
 * most sigmoid/tanh outputs of a layer on their flat tails (derivative under 2% of its peak) for the last
 * epoch; dead_units, most ReLU units of a layer never firing in the last epoch. Over half of a layer is the
 * threshold: the layer then carries less than half its capacity. Causes: the initial weight scale against
 * the fan-in, a learning rate far above the optimizer's usual, inputs far from unit scale.
 */
final class LayerHealthDetector implements Detector {
    @Override
    public List<Finding> detect(Evidence ev) {
        int last = ev.finishedEpochs();
        List<Map<String, Object>> layers = ev.layerStats(last);
        if (layers.isEmpty()) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        double saturated = StallCauses.max(layers, "saturated_fraction");
        if (saturated > 0.5) {
            out.add(finding(ev, "saturated_activations", "saturated_fraction", saturated, layers, last,
                    "of the sigmoid/tanh outputs of layer %s sat on the flat tails in epoch %d: almost no gradient"
                    + " passes back through them, so the layers before it barely learn."));
        }
        double dead = StallCauses.max(layers, "dead_fraction");
        if (dead > 0.5) {
            out.add(finding(ev, "dead_units", "dead_fraction", dead, layers, last,
                    "of the ReLU units of layer %s never fired in epoch %d: they output 0 for every sample and"
                    + " receive no gradient, so they cannot recover."));
        }
        return out;
    }

    private static Finding finding(Evidence ev, String id, String key, double fraction, List<Map<String, Object>> layers,
                                   int epoch, String sentence) {
        Object layer = StallCauses.argmax(layers, key);
        List<Finding.Cause> causes = new ArrayList<>();
        for (Finding.Cause c : StallCauses.rank(ev, epoch)) {
            if (List.of("bad_init_scale", "lr_too_large", "unnormalized_inputs").contains(c.cause())) {
                causes.add(c);
            }
        }
        if (causes.isEmpty()) {
            causes.add(new Finding.Cause(id.equals("dead_units") ? "dead_relu" : "saturated_activations", 0.6,
                    Finding.Cause.evidence(key, fraction, "layer", layer)));
        }
        String explanation = String.format(Locale.ROOT, "%.0f%% " + sentence, 100 * fraction, layer, epoch);
        List<String> suggestions = StallCauses.suggest(causes.get(0), ev);
        String title = id.equals("dead_units") ? "Most ReLU units of layer " + layer + " are dead"
                : "Layer " + layer + " is saturated";
        return new Finding(id, Finding.WARNING, epoch, null, title, causes, explanation, suggestions);
    }
}
