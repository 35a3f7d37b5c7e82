package org.epochal.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentBuilder;
import org.epochal.layer.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once training runs, a batch allocates (almost) nothing: buffers are reused. Measured with
 * ThreadMXBean on the training thread over 50 warm batches of an MLP and of a small CNN, callbacks excluded
 * (no run folder).
 */
class AllocationTest {
    @TempDir
    Path tmp;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"mlp,1", "cnn,1", "cnn,2", "wide,2", "one,1", "panels,2", "halves,1", "halves,2"})
    void aWarmBatchAllocatesAlmostNothing(String kind, int threads) throws InterruptedException {
        // Until C2 has compiled them, Vector API kernels allocate their vectors: measure after the warm-up
        // (it failed twice on a loaded machine when 800 batches ran before the kernels were compiled).
        assertTrue(org.epochal.kernel.Gemm.awaitWarmUp(60_000), "the kernels' warm-up did not finish in 60 s");
        // a step by halves (HalvesStep.MIN_BATCH) needs 52 batches an epoch as the others do
        int batch = kind.equals("halves") ? HalvesStep.MIN_BATCH : 64;
        ExperimentBuilder b = new ExperimentBuilder("alloc").seed(1).epochs(10_000)
                .train("format", "synthetic", "kind", "blobs", "samples", 100 * batch, "features", 64, "classes", 10,
                        "seed", 1)
                .batchSize(batch);
        if (kind.equals("one")) {
            // the MLP at batch 1: weight gradients held as outer products, computed in the optimizer's loop
            b.batchSize(1).input(64).layer("linear", "out", 128).layer("relu").layer("linear", "out", 10);
        } else if (kind.equals("panels")) {
            // batch 1 with a first weight of 64K elements: stored in panels, each thread running its own
            b.batchSize(1).input(64).layer("linear", "out", 1024).layer("relu").layer("linear", "out", 10);
        } else if (kind.equals("mlp") || kind.equals("halves")) {
            b.input(64).layer("linear", "out", 128).layer("relu").layer("linear", "out", 10);
        } else if (kind.equals("wide")) {
            // a first weight of 64K elements: its Adam update is split across the threads at this batch size
            b.input(64).layer("linear", "out", 1024).layer("relu").layer("linear", "out", 10);
        } else {
            b.input(1, 8, 8).layer("conv2d", "out", 8, "kernel", 3).layer("relu").layer("maxpool2d", "kernel", 2)
                    .layer("flatten").layer("linear", "out", 10);
        }
        Experiment exp = b.loss("cross_entropy").optimizer("adam", "lr", 0.001).build(tmp);
        Sequential model = exp.buildModel();
        TrainingData data = TrainingData.load(exp, model.inputShape(), 10);
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Batches 2..51 of six epochs that start 3 s into training (then the run stops): the least of these
        // windows. Until C2 has compiled a Vector API kernel it allocates its vectors, and after other tests
        // in the same JVM (GemmTest) a deoptimised kernel stayed uncompiled through whole runs of 0.5 s
        // (100 KB to 1.5 MB a batch in every window), with C2's queue full of their methods.
        long[] start = new long[1];
        long began = System.nanoTime();
        int[] windows = {0};
        double[] least = {Double.MAX_VALUE};
        try (Trainer trainer = new Trainer(exp, data, model, threads).chooseThreads(true)) {
            // with two threads, from the second epoch each step may run on one (ThreadChoice): no allocation either
            trainer.addCallback(new Callback() {
                @Override
                public void batchEnd(Events.BatchEnd e, Trainer.Control c) {
                    if (e.batch() == 1) {
                        start[0] = System.nanoTime() - began > 3_000_000_000L ? bean.getCurrentThreadAllocatedBytes() : -1;
                    } else if (e.batch() == 51 && start[0] >= 0) {
                        least[0] = Math.min(least[0], (bean.getCurrentThreadAllocatedBytes() - start[0]) / 50.0);
                        if (++windows[0] == 6) {
                            c.requestStop("measured");
                        }
                    }
                }
            });
            trainer.fit();
        }
        double perBatch = least[0];
        System.out.println(kind + ", " + threads + " thread(s): allocated bytes per warm batch: " + perBatch);
        // Measured 128 bytes for the MLP and 216 (1 thread) to 344 (2) for the CNN: the batch's event record,
        // the parallel loops' lambdas; a reallocated buffer would be tens of KB.
        assertTrue(perBatch < 1024, "allocated " + perBatch + " bytes per batch");
    }
}
