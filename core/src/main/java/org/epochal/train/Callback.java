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

    default void epochEnd(Events.EpochEnd event, Trainer.Control control) {
    }

    default void runEnd(Events.RunEnd event, Trainer.Control control) {
    }
}
