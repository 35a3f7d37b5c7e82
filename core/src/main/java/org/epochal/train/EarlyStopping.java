package org.epochal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.config.Experiment;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;

/**
 * Keras' EarlyStopping: after each epoch, an improvement is monitor < best − min_delta (mode min) or
 * monitor > best + min_delta (mode max); after {@code patience} epochs in a row without one, training
 * stops. With restore_best, the best epoch's weights (and batchnorm statistics) are put back at the end.
 */
public final class EarlyStopping implements Callback, Stateful {
    private final Experiment.EarlyStoppingSpec spec;
    private final List<Parameter> tensors = new ArrayList<>();
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private float[][] bestWeights;

    public EarlyStopping(Experiment.EarlyStoppingSpec spec, Sequential model) {
        this.spec = spec;
        this.best = spec.mode().equals("max") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        tensors.addAll(model.params());
        tensors.addAll(model.namedBuffers().values());
    }

    @Override
    public void epochEnd(Events.EpochEnd event, Trainer.Control control) {
        double current = event.get(spec.monitor());
        wait++;
        boolean improved = spec.mode().equals("max")
                ? current - spec.minDelta() > best
                : current + spec.minDelta() < best;
        if (improved) {
            best = current;
            bestEpoch = event.epoch();
            wait = 0;
            if (spec.restoreBest()) {
                saveBest();
            }
            return;
        }
        if (wait >= spec.patience() && event.epoch() > 1) {
            stoppedEpoch = event.epoch();
            control.requestStop("early stopping: " + spec.monitor() + " has not improved for " + wait
                    + " epoch(s); best " + best + " at epoch " + bestEpoch);
        }
    }

    @Override
    public void runEnd(Events.RunEnd event, Trainer.Control control) {
        if (spec.restoreBest() && bestWeights != null && !event.diverged()) {
            for (int i = 0; i < tensors.size(); i++) {
                System.arraycopy(bestWeights[i], 0, tensors.get(i).data(), 0, bestWeights[i].length);
            }
        }
    }

    private void saveBest() {
        if (bestWeights == null) {
            bestWeights = new float[tensors.size()][];
            for (int i = 0; i < tensors.size(); i++) {
                bestWeights[i] = new float[tensors.get(i).size()];
            }
        }
        for (int i = 0; i < tensors.size(); i++) {
            System.arraycopy(tensors.get(i).data(), 0, bestWeights[i], 0, bestWeights[i].length);
        }
    }

    /** The epoch with the best monitored value so far (0 before the first epoch). */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }

    /** The epoch after which training stopped early, or 0. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    @Override
    public String stateKey() {
        return "early_stopping";
    }

    @Override
    public State saveState() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("best", Double.isInfinite(best) ? (best > 0 ? "inf" : "-inf") : (Object) best);
        values.put("best_epoch", bestEpoch);
        values.put("wait", wait);
        values.put("stopped_epoch", stoppedEpoch);
        Map<String, float[]> arrays = new LinkedHashMap<>();
        if (bestWeights != null) {
            for (int i = 0; i < bestWeights.length; i++) {
                // in PyTorch's layout, as the trainer saves the weights (Parameter.transposed)
                arrays.put("best." + i, tensors.get(i).copyInShapeOrder(bestWeights[i]));
            }
        }
        return new State(values, arrays);
    }

    @Override
    public void restoreState(State state) {
        Object b = state.values().get("best");
        best = b instanceof String s ? (s.equals("inf") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY)
                : ((Number) b).doubleValue();
        bestEpoch = ((Number) state.values().get("best_epoch")).intValue();
        wait = ((Number) state.values().get("wait")).intValue();
        stoppedEpoch = ((Number) state.values().get("stopped_epoch")).intValue();
        if (state.arrays().containsKey("best.0")) {
            bestWeights = new float[tensors.size()][];
            for (int i = 0; i < tensors.size(); i++) {
                bestWeights[i] = new float[tensors.get(i).size()];
                state.restore("best." + i, tensors.get(i), bestWeights[i]);
            }
        }
    }
}
