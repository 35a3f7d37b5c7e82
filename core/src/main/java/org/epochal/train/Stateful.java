package org.epochal.train;

import java.util.Map;

/**
 * A callback or component whose state goes into checkpoints, so that a resumed run continues exactly.
 * {@code values} hold JSON-friendly scalars, lists and maps; {@code arrays} hold float data (weights).
 */
public interface Stateful {
    /** A unique name for this state in the checkpoint. */
    String stateKey();

    State saveState();

    void restoreState(State state);

    record State(Map<String, Object> values, Map<String, float[]> arrays) {
    }
}
