package org.epochal.train;

/**
 * Something that watches training: logging, checkpoints, early stopping, diagnostics. Hooks are called
 * in this order: runStart, then per epoch epochStart, per batch batchEnd, then epochEnd, and finally
 * runEnd. Every hook has a no-op default. A callback stops training by {@link Trainer.Control#requestStop};
 * one with state to carry across a resume implements {@link Stateful}.
 */
public interface Callback {
    default void runStart(Events.RunStart event, Trainer.Control control) {
    }

    default void epochStart(Events.EpochStart event, Trainer.Control control) {
    }

    default void batchEnd(Events.BatchEnd event, Trainer.Control control) {
    }

    /**
     * A batch whose loss and gradients are computed, with the event its batchEnd will get, for work that needs
     * no more than the event, the batch and the activations (writing its row, counting its inputs). The
     * trainer runs it on its second thread while the optimizer steps, or, when that thread gathers the next
     * batch during the callbacks (large batches), on the caller after the step; either way before batchEnd.
     * So it must touch nothing the step writes (weights, gradients, optimizer state). Not called for a batch
     * whose loss is not finite (no step follows). Called only if {@link #takesComputedBatches}.
     */
    default void batchComputed(Events.BatchEnd event) {
    }

    /** Whether {@link #batchComputed} does anything (fixed for the run: read when training starts). */
    default boolean takesComputedBatches() {
        return false;
    }

    /**
     * In a step by halves of the batch (Sequential#trainByHalves), samples [from, to) of the batch once their
     * forward and backward passes ran, on the thread that ran them: half 0 on the trainer's thread, half 1 on
     * another or after half 0. For sums over samples of the batch's inputs and activations, kept apart per
     * half (the halves may run at once) and touching nothing else. batchComputed follows for the whole step
     * ({@code step} is its event's). Called only if {@link #takesHalves}.
     */
    default void halfComputed(long step, int half, int from, int to) {
    }

    /** Whether {@link #halfComputed} does anything (fixed for the run: read when training starts). */
    default boolean takesHalves() {
        return false;
    }

    default void epochEnd(Events.EpochEnd event, Trainer.Control control) {
    }

    default void runEnd(Events.RunEnd event, Trainer.Control control) {
    }
}
