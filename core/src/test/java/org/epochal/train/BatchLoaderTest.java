package org.epochal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentBuilder;
import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
    @TempDir
    Path tmp;

    /** Batches of 200 × 700 floats (past the prefetch size), the last one partial, with input noise. */
    private BatchLoader loader(Parallel parallel) throws Exception {
        Experiment exp = new ExperimentBuilder("t").seed(5).epochs(2)
                .train("format", "synthetic", "kind", "blobs", "samples", 1_050, "features", 700, "classes", 3, "seed", 4)
                .batchSize(200).input(700).layer("linear", "out", 3).loss("cross_entropy").optimizer("sgd", "lr", 0.1)
                .data("augment", List.of(java.util.Map.of("type", "gaussian_noise", "std", 0.1, "from_epoch", 2)))
                .build(tmp);
        TrainingData data = TrainingData.load(exp, new int[] {700}, 3);
        BatchLoader loader = new BatchLoader(data.train(), data.additions(), exp.data(), exp.seed());
        loader.setParallel(parallel);
        return loader;
    }

    @Test
    void aBatchGatheredAheadOnAWorkerIsTheBatchGatheredInPlace() throws Exception {
        assertEquals(true, 200L * 700 >= BatchLoader.PREFETCH_MIN, "the test's batches are gathered ahead");
        BatchLoader plain = loader(Parallel.SEQUENTIAL);
        try (Parallel two = new Parallel(2)) {
            BatchLoader ahead = loader(two);
            for (int epoch = 1; epoch <= 2; epoch++) {
                plain.startEpoch(epoch);
                ahead.startEpoch(epoch);
                for (int b = 0; b < plain.batches(); b++) {
                    Tensor want = plain.batch(b);
                    Tensor got = ahead.batch(b);
                    assertArrayEquals(want.shape(), got.shape(), "epoch " + epoch + " batch " + b);
                    assertArrayEquals(java.util.Arrays.copyOf(want.data(), want.size()),
                            java.util.Arrays.copyOf(got.data(), got.size()), "epoch " + epoch + " batch " + b);
                    assertArrayEquals(java.util.Arrays.copyOf(plain.targets().data(), plain.targets().size()),
                            java.util.Arrays.copyOf(ahead.targets().data(), ahead.targets().size()));
                    ahead.prefetch(b + 1);
                }
            }
        }
    }

    /**
     * A batch served unfilled and gathered in two parts (as a step by halves does, each on its thread) is the
     * batch gathered at once; not while augmentation applies (epoch 2 here: its noise runs over the batch).
     */
    @Test
    void aBatchGatheredInPartsIsTheBatchGatheredAtOnce() throws Exception {
        BatchLoader plain = loader(Parallel.SEQUENTIAL);
        BatchLoader parts = loader(Parallel.SEQUENTIAL);
        plain.startEpoch(1);
        parts.startEpoch(1);
        for (int b = 0; b < plain.batches(); b++) {
            assertTrue(parts.gathersLater(b));
            Tensor want = plain.batch(b);
            Tensor got = parts.batchLater(b);
            assertEquals(plain.rows(b), got.batch());
            parts.gatherRows(got.batch() / 2, got.batch()); // the second half first: any order
            parts.gatherRows(0, got.batch() / 2);
            assertArrayEquals(java.util.Arrays.copyOf(want.data(), want.size()),
                    java.util.Arrays.copyOf(got.data(), got.size()), "batch " + b);
            assertArrayEquals(java.util.Arrays.copyOf(plain.targets().data(), plain.targets().size()),
                    java.util.Arrays.copyOf(parts.targets().data(), parts.targets().size()));
            assertSame(got, parts.lastBatch());
        }
        assertEquals(50, plain.rows(plain.batches() - 1));
        parts.startEpoch(2);
        assertFalse(parts.gathersLater(0), "augmented from epoch 2");
    }
}
