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
        /**
         * target (an array of p's layout) = the array saved under {@code key}, which is in p's shape order;
         * a missing or other-sized array is a checkpoint that does not fit the model.
         */
        public void restore(String key, org.epochal.layer.Parameter p, float[] target) {
            float[] source = arrays.get(key);
            if (source == null || source.length != target.length) {
                throw new org.epochal.BadInputException("checkpoint does not match the model: tensor '" + key
                        + "' is " + (source == null ? "missing" : "of another size"));
            }
            p.storeShapeOrder(source, target);
        }
    }
}
