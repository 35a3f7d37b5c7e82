package org.epochal.train;

import java.util.Map;

/** The immutable records the trainer hands its callbacks, one per hook. */
public final class Events {
    private Events() {
    }

    /** Before the first epoch (or the first epoch after a resume: {@code startEpoch} > 1). */
    public record RunStart(int startEpoch, int epochs, int trainSamples, int batchesPerEpoch, long step) {
    }

    /** {@code batches} and {@code samples}: this epoch's training batches and samples; lr at its first batch. */
    public record EpochStart(int epoch, int batches, int samples, double lr) {
    }

    /** After the optimizer step of one batch; {@code batch} counts from 1 in the epoch, {@code step} in the run. */
    public record BatchEnd(int epoch, int batch, long step, int samples, double loss, double lr, double gradNorm) {
    }

    /**
     * After an epoch's training and evaluation. {@code values} holds train_loss, train_METRIC, val_loss,
     * val_METRIC, test_loss, test_METRIC as the run has them (NaN when absent), in column order.
     */
    public record EpochEnd(int epoch, Map<String, Double> values, double lr, double seconds, double samplesPerSecond,
                           int samples) {
        public double get(String key) {
            Double v = values.get(key);
            return v == null ? Double.NaN : v;
        }
    }

    /** After the last epoch, an early stop, or a divergence. */
    public record RunEnd(int lastEpoch, long step, String stopReason, boolean diverged) {
    }
}
