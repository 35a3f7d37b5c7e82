package org.epochal.config;

import java.util.List;
import java.util.Map;
import org.epochal.data.SourceSpec;

/**
 * An experiment with every default filled in, as {@link ExperimentReader} makes it from an experiment
 * file or from a tree built in code ({@link ExperimentBuilder}). {@link #resolved()} is the same
 * experiment as a tree, which the run folder's config.yaml shows.
 */
public record Experiment(
        String name,
        long seed,
        int epochs,
        DataSpec data,
        ModelSpec model,
        String loss,
        List<String> metrics,
        Map<String, Object> optimizer,
        List<Map<String, Object>> schedules,
        EarlyStoppingSpec earlyStopping,
        CheckpointSpec checkpoint,
        Double clipGradNorm,
        String diagnostics,
        Map<String, Object> resolved) {

    /** data: sources, batching, normalisation, augmentation, data added from an epoch on. */
    public record DataSpec(SourceSpec train, double validationFraction, SourceSpec validation, SourceSpec test,
                           int batchSize, boolean shuffle, boolean dropLast, NormalizeSpec normalize,
                           List<AugmentSpec> augment, List<DataAddSpec> schedule) {
    }

    /** type: none | scale (x / factor) | standard | minmax. */
    public record NormalizeSpec(String type, double factor) {
    }

    /** gaussian_noise of standard deviation {@code std}, from epoch {@code fromEpoch} on. */
    public record AugmentSpec(String type, double std, int fromEpoch) {
    }

    /** The samples of {@code source} join the training data from {@code epoch} on. */
    public record DataAddSpec(int epoch, SourceSpec source) {
    }

    /** model.input and the raw layer entries (built by {@link Layers#create}). */
    public record ModelSpec(int[] input, List<Object> layers) {
    }

    /** Keras' EarlyStopping: stop after {@code patience} epochs without an improvement of min_delta. */
    public record EarlyStoppingSpec(String monitor, String mode, int patience, double minDelta,
                                    boolean restoreBest) {
    }

    public record CheckpointSpec(int every, int keepLast) {
    }

    /**
     * A new model of this experiment's layers, initialised from the run's seed (through a generator of
     * its own, so that changing the data or the shuffling never changes the initial weights).
     */
    public org.epochal.layer.Sequential buildModel() {
        org.epochal.layer.Sequential model = ExperimentReader.buildLayers(model().input(), model().layers(), null);
        model.initialize(org.epochal.rng.Rng.derive(seed, 0x1417).nextLong());
        return model;
    }

    /** True when the loss predicts classes (its targets are class indices). */
    public boolean classification() {
        return loss.equals("cross_entropy");
    }
}
