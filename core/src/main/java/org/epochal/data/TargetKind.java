package org.epochal.data;

/** How labels are read: class indices (cross_entropy) or float values (mse, bce_with_logits). */
public enum TargetKind {
    /** One class index per sample; string labels become classes numbered in sorted order. */
    CLASS_INDEX,
    /** One float per label column. */
    VALUES
}
