package org.epochal.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a data set comes from: the `train`, `validation`, `test` and `add` entries of an experiment file.
 * Paths are already resolved (relative paths against the experiment file's folder).
 */
public sealed interface SourceSpec {
    /** MNIST-style IDX files (plain or .gz): images [n, rows, cols] of unsigned bytes, labels [n]. */
    record Idx(Path images, Path labels) implements SourceSpec {
    }

    /**
     * A CSV file. {@code labels}: the label column(s), each a header name or a 0-based column index
     * written as digits; every other column is a feature.
     */
    record Csv(Path path, List<String> labels, boolean header) implements SourceSpec {
    }

    /** A small real data set shipped inside Epochal: "digits" (8x8 handwritten digits, 1,797 images). */
    record Builtin(String name) implements SourceSpec {
    }

    /**
     * Generated data: "blobs" (Gaussian clusters, one per class) or "regression" (a random linear function
     * plus noise), from its own seed.
     */
    record Synthetic(String kind, int samples, int features, int classes, long seed) implements SourceSpec {
    }

    /**
     * The first {@code limit} samples of {@code source}, in file order (the `limit` key of any source;
     * PyTorch's {@code Subset(data, range(limit))}). A source with fewer samples is used whole.
     */
    record Limited(SourceSpec source, int limit) implements SourceSpec {
        public Limited {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
        }
    }
}
