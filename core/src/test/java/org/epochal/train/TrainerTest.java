package org.epochal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentBuilder;
import org.epochal.io.SafeTensors;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.run.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The epoch loop's features, each with a small synthetic run: early stopping, data added, divergence, checkpoints. */
class TrainerTest {
    @TempDir
    Path tmp;

    private static ExperimentBuilder blobs(int epochs) {
        return new ExperimentBuilder("t").seed(1).epochs(epochs)
                .train("format", "synthetic", "kind", "blobs", "samples", 300, "features", 4, "classes", 3, "seed", 2)
                .batchSize(20).input(4).layer("linear", "out", 16).layer("relu").layer("linear", "out", 3)
                .loss("cross_entropy").optimizer("sgd", "lr", 0.05);
    }

    /** Records the weights of the first layer at the end of every epoch. */
    private static final class WeightLog implements Callback {
        final List<float[]> weights = new ArrayList<>();
        final List<Events.EpochStart> starts = new ArrayList<>();

        @Override
        public void epochStart(Events.EpochStart e, Trainer.Control c) {
            starts.add(e);
        }

        @Override
        public void epochEnd(Events.EpochEnd e, Trainer.Control c) {
            weights.add(c.trainer().model().params().get(0).data().clone());
        }
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() throws IOException {
        // A large model on few samples overfits: validation loss turns up, training goes on falling.
        Experiment exp = new ExperimentBuilder("overfit").seed(3).epochs(60)
                .train("format", "synthetic", "kind", "blobs", "samples", 60, "features", 20, "classes", 3, "seed", 9)
                .validationFraction(0.5).batchSize(10).input(20).layer("linear", "out", 256).layer("relu")
                .layer("linear", "out", 256).layer("relu").layer("linear", "out", 3).loss("cross_entropy")
                .optimizer("adam", "lr", 0.01)
                .earlyStopping("monitor", "val_loss", "patience", 3, "restore_best", true).build(tmp);
        WeightLog log = new WeightLog();
        Run.Result result = Run.train(exp, new Run.Options(tmp.resolve("run"), 1, true, null, System.out, false,
                List.of(log)));
        String reason = result.end().stopReason();
        assertTrue(reason != null && reason.startsWith("early stopping"), "stopped early: " + reason);
        int last = result.end().lastEpoch();
        assertTrue(last < 60, "stopped at " + last);
        int best = Integer.parseInt(reason.substring(reason.lastIndexOf(' ') + 1));
        assertEquals(last - 3, best, reason);
        float[] saved = SafeTensors.read(tmp.resolve("run/model.safetensors")).tensors().get("0.weight").floats();
        Parameter first = result.model().params().get(0);
        assertArrayEquals(saved, first.inShapeOrder(first.data()));
    }

    @Test
    void dataAddedFromAnEpochJoinsTheTrainingSet() throws IOException {
        Experiment exp = blobs(4).data("schedule", List.of(java.util.Map.of("epoch", 3, "add", java.util.Map.of(
                "format", "synthetic", "kind", "blobs", "samples", 100, "features", 4, "classes", 3, "seed", 2))))
                .build(tmp);
        WeightLog log = new WeightLog();
        Run.Result r = Run.train(exp, new Run.Options(tmp.resolve("run"), 1, true, null, System.out, false, List.of(log)));
        assertEquals(List.of(300, 300, 400, 400), log.starts.stream().map(Events.EpochStart::samples).toList());
        assertEquals(List.of(15, 15, 20, 20), log.starts.stream().map(Events.EpochStart::batches).toList());
    }

    @Test
    void divergenceStopsAtThatBatchAndStillWritesTheRunFolder() throws IOException {
        Experiment exp = blobs(5).optimizer("sgd", "lr", 1e30).build(tmp);
        Run.Result r = Run.train(exp, Run.Options.defaults().withOutDir(tmp.resolve("run")));
        assertEquals(3, r.exitCode());
        assertTrue(r.end().diverged());
        for (String f : List.of("batches.csv", "model.safetensors", "report.html", "diagnosis.json", "config.yaml")) {
            assertTrue(Files.exists(tmp.resolve("run").resolve(f)), f);
        }
        List<String> rows = Files.readAllLines(tmp.resolve("run/batches.csv"));
        assertTrue(rows.get(rows.size() - 1).contains("nan") || rows.get(rows.size() - 1).contains("inf"),
                rows.get(rows.size() - 1));
    }

    /** Loss and gradient norm as float32 (PyTorch's loss.item() and clip_grad_norm_ give float32 tensors). */
    @Test
    void batchRowsHoldFloat32LossAndGradientNorm() throws IOException {
        Run.train(blobs(1).build(tmp), Run.Options.defaults().withOutDir(tmp.resolve("run")));
        List<String> rows = Files.readAllLines(tmp.resolve("run/batches.csv"));
        assertEquals("epoch,batch,step,samples,loss,lr,grad_norm", rows.get(0));
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            for (String number : List.of(cells[4], cells[6])) {
                assertEquals(Float.toString(Float.parseFloat(number)), number, row);
            }
        }
    }

    /**
     * On two threads each batch's row is written, and its input statistics and fired units are counted, by
     * the second thread while the optimizer steps (Callback#batchComputed): the rows once, in order, the same
     * rows and epoch probes as on one thread; a diverged batch, which has no step, still gets its row.
     */
    @Test
    void batchRowsAreWrittenOnceEachInOrderOnAnyThreadCount() throws IOException {
        List<List<String>> runs = new java.util.ArrayList<>();
        List<List<String>> probes = new java.util.ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            Path dir = tmp.resolve("run" + threads);
            Run.train(blobs(3).build(tmp), Run.Options.defaults().withOutDir(dir).withThreads(threads));
            List<String> rows = Files.readAllLines(dir.resolve("batches.csv"));
            for (int i = 1; i < rows.size(); i++) {
                assertEquals(String.valueOf(i), rows.get(i).split(",")[2], "the step of row " + i);
            }
            runs.add(rows);
            probes.add(Files.readAllLines(dir.resolve("probes.jsonl")).stream()
                    .filter(l -> l.startsWith("{\"kind\":\"epoch\"")).toList());
        }
        assertEquals(1 + 3 * 15, runs.get(0).size()); // 300 samples in batches of 20, three epochs
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(3, probes.get(0).size());
        assertTrue(probes.get(0).get(0).contains("\"feature_mean\""), probes.get(0).get(0));
        assertEquals(probes.get(0), probes.get(1));

        Experiment diverging = blobs(5).optimizer("sgd", "lr", 1e30).build(tmp);
        Run.train(diverging, Run.Options.defaults().withOutDir(tmp.resolve("diverged")).withThreads(2));
        List<String> rows = Files.readAllLines(tmp.resolve("diverged/batches.csv"));
        for (int i = 1; i < rows.size(); i++) {
            assertEquals(String.valueOf(i), rows.get(i).split(",")[2], "the step of row " + i);
        }
        String last = rows.get(rows.size() - 1);
        assertTrue(last.contains("nan") || last.contains("inf"), last);
    }

    /**
     * From {@link HalvesStep#MIN_BATCH} on, a model that allows it trains by halves of the batch
     * (Sequential#trainByHalves), on one thread as on two or three: the same rows, probes and weights; with
     * clipping too (the optimizer then steps after the norm, not chunk by chunk with the halves' sums).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void largeBatchesTrainByHalvesWithTheSameBitsOnAnyThreadCount(boolean clipping) throws IOException {
        List<List<String>> runs = new ArrayList<>();
        for (int threads : new int[] {1, 2, 3}) {
            ExperimentBuilder builder = new ExperimentBuilder("t").seed(1).epochs(2);
            if (clipping) {
                builder.clipGradNorm(0.5);
            }
            Experiment exp = builder
                    .train("format", "synthetic", "kind", "blobs", "samples", 700, "features", 4, "classes", 3,
                            "seed", 2)
                    .batchSize(HalvesStep.MIN_BATCH).input(4).layer("linear", "out", 16).layer("relu")
                    .layer("linear", "out", 3).loss("cross_entropy").optimizer("adam", "lr", 0.01)
                    .build(tmp.resolve("halves" + threads + clipping));
            assertTrue(exp.buildModel().runsByHalves());
            Path dir = tmp.resolve("halves-run" + threads + clipping);
            Run.train(exp, Run.Options.defaults().withOutDir(dir).withThreads(threads));
            List<String> run = new ArrayList<>(Files.readAllLines(dir.resolve("batches.csv")));
            run.addAll(Files.readAllLines(dir.resolve("probes.jsonl")).stream()
                    .filter(l -> l.startsWith("{\"kind\":\"epoch\"")).toList());
            run.add(java.util.HexFormat.of().formatHex(Files.readAllBytes(dir.resolve("model.safetensors"))));
            runs.add(run);
        }
        assertEquals(1 + 2 * 3, runs.get(0).size() - 2 - 1); // 700 samples: two batches by halves and one of 188
        assertEquals(runs.get(0), runs.get(1), "1 against 2 threads");
        assertEquals(runs.get(0), runs.get(2), "1 against 3 threads");
    }

    /**
     * The probes of steps by halves (each half's input sums, fired units and sampled activations counted on
     * its own thread) measure what whole steps measure, up to the order of the sums: one epoch of the same
     * run each way (the weights differ only by those orders), every number within 1e-4 relative. The CNN's
     * ReLUs pass their input on to the max pooling after them, which rectifies: a sampled step's activations of
     * those ReLUs are computed row by row in the halves (ReLU#outputRows).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @SuppressWarnings("unchecked")
    void probesByHalvesMeasureWhatWholeStepsMeasure(boolean cnn) throws IOException {
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (int from : new int[] {HalvesStep.MIN_BATCH, Integer.MAX_VALUE}) {
            ExperimentBuilder builder = new ExperimentBuilder("t").seed(1).epochs(1)
                    .train("format", "synthetic", "kind", "blobs", "samples", 2_600, "features", cnn ? 64 : 12,
                            "classes", 3, "seed", 2)
                    .batchSize(HalvesStep.MIN_BATCH);
            if (cnn) {
                builder.input(1, 8, 8).layer("conv2d", "out", 4, "kernel", 3).layer("relu")
                        .layer("maxpool2d", "kernel", 2).layer("conv2d", "out", 3, "kernel", 2).layer("relu")
                        .layer("maxpool2d", "kernel", 2).layer("flatten").layer("linear", "out", 3);
            } else {
                builder.input(12).layer("linear", "out", 16).layer("relu").layer("linear", "out", 8).layer("tanh")
                        .layer("linear", "out", 3);
            }
            Experiment exp = builder.loss("cross_entropy").optimizer("adam", "lr", 0.01)
                    .build(tmp.resolve("probes" + from + cnn));
            Sequential model = exp.buildModel();
            TrainingData data = TrainingData.load(exp, model.inputShape(), 3);
            assertTrue(model.runsByHalves());
            Path dir = tmp.resolve("probes-run" + from + cnn);
            Files.createDirectories(dir);
            try (Trainer trainer = new Trainer(exp, data, model, 2).halvesFrom(from)) {
                trainer.addCallback(new org.epochal.diagnose.Probes(dir, false, Map.of()));
                trainer.fit();
            }
            String line = Files.readAllLines(dir.resolve("probes.jsonl")).stream()
                    .filter(l -> l.startsWith("{\"kind\":\"epoch\"")).findFirst().orElseThrow();
            epochs.add((Map<String, Object>) org.epochal.io.Json.parse(line));
        }
        assertNumbersClose(epochs.get(1), epochs.get(0), "epoch");
    }

    /**
     * Clipping applies by halves as in whole steps: one epoch each way with a norm that clips every step, the
     * weights within 1e-4 of each other (a step by halves that skipped the clipping moves them by far more).
     */
    @Test
    void clippingAppliesToStepsByHalves() {
        List<float[]> weights = new ArrayList<>();
        for (int from : new int[] {HalvesStep.MIN_BATCH, Integer.MAX_VALUE}) {
            Experiment exp = new ExperimentBuilder("t").seed(1).epochs(1).clipGradNorm(1e-3)
                    .train("format", "synthetic", "kind", "blobs", "samples", 2_600, "features", 12, "classes", 3,
                            "seed", 2)
                    .batchSize(HalvesStep.MIN_BATCH).input(12).layer("linear", "out", 16).layer("relu")
                    .layer("linear", "out", 3).loss("cross_entropy").optimizer("sgd", "lr", 0.5)
                    .build(tmp.resolve("clip" + from));
            Sequential model = exp.buildModel();
            try (Trainer trainer = new Trainer(exp, TrainingData.load(exp, model.inputShape(), 3), model, 2)
                    .halvesFrom(from)) {
                trainer.fit();
            }
            weights.add(model.params().get(0).data().clone());
            if (from == Integer.MAX_VALUE) { // unclipped, the same epoch moves the weights far from there
                Sequential free = exp.buildModel();
                Experiment unclipped = new ExperimentBuilder("t").seed(1).epochs(1)
                        .train("format", "synthetic", "kind", "blobs", "samples", 2_600, "features", 12, "classes", 3,
                                "seed", 2)
                        .batchSize(HalvesStep.MIN_BATCH).input(12).layer("linear", "out", 16).layer("relu")
                        .layer("linear", "out", 3).loss("cross_entropy").optimizer("sgd", "lr", 0.5)
                        .build(tmp.resolve("free"));
                try (Trainer trainer = new Trainer(unclipped, TrainingData.load(unclipped, free.inputShape(), 3), free,
                        2)) {
                    trainer.fit();
                }
                weights.add(free.params().get(0).data().clone());
            }
        }
        double far = 0;
        for (int i = 0; i < weights.get(0).length; i++) {
            assertEquals(weights.get(1)[i], weights.get(0)[i], 1e-4 * Math.max(1, Math.abs(weights.get(1)[i])), "w " + i);
            far = Math.max(far, Math.abs(weights.get(2)[i] - weights.get(1)[i]));
        }
        assertTrue(far > 1e-2, "clipping made no difference (" + far + "): the test proves nothing");
    }

    /** Every number in {@code actual} within 1e-4 relative (or 1e-6 absolute) of {@code expected}'s. */
    @SuppressWarnings("unchecked")
    private static void assertNumbersClose(Object expected, Object actual, String where) {
        if (expected instanceof Number e) {
            double a = ((Number) actual).doubleValue();
            assertEquals(e.doubleValue(), a, Math.max(1e-6, 1e-4 * Math.abs(e.doubleValue())), where);
        } else if (expected instanceof Map<?, ?> m) {
            assertEquals(m.keySet(), ((Map<?, ?>) actual).keySet(), where);
            m.forEach((k, v) -> assertNumbersClose(v, ((Map<String, Object>) actual).get(k), where + "." + k));
        } else if (expected instanceof List<?> l) {
            assertEquals(l.size(), ((List<?>) actual).size(), where);
            for (int i = 0; i < l.size(); i++) {
                assertNumbersClose(l.get(i), ((List<?>) actual).get(i), where + "[" + i + "]");
            }
        } else {
            assertEquals(expected, actual, where);
        }
    }

    @Test
    void checkpointsKeepTheLastN() throws IOException {
        Experiment exp = blobs(5).checkpoint(2, 2).build(tmp);
        Run.train(exp, Run.Options.defaults().withOutDir(tmp.resolve("run")));
        try (Stream<Path> files = Files.list(tmp.resolve("run/checkpoints"))) {
            assertEquals(List.of("epoch-0004.safetensors", "epoch-0005.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void checkpointsHoldTensorsInPyTorchsLayoutAndRestoreThemInPlace() {
        // Linear weights are stored transposed ([in, out]); a checkpoint holds them, and Adam's moments,
        // as [out, in] like model.safetensors.
        Experiment exp = blobs(1).optimizer("adam", "lr", 0.01).build(tmp);
        Sequential model = exp.buildModel();
        TrainingData data = TrainingData.load(exp, model.inputShape(), 3);
        try (Trainer trainer = new Trainer(exp, data, model, 1)) {
            trainer.fit();
            Parameter w = model.params().get(0);
            assertTrue(w.storedTransposed());
            Stateful.State state = trainer.saveState();
            float[] weight = state.arrays().get("model.0.weight");
            float[] expAvg = state.arrays().get("optimizer.exp_avg.0");
            float[] stored = trainer.optimizer().state().get("exp_avg.0");
            for (int o = 0; o < 16; o++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(w.data()[i * 16 + o], weight[o * 4 + i]);
                    assertEquals(stored[i * 16 + o], expAvg[o * 4 + i]);
                }
            }
            restoresInPlace(trainer, state, w.data(), stored);
        }
    }

    /** Zeroes the arrays, restores the state and checks that they hold their values again. */
    private static void restoresInPlace(Trainer trainer, Stateful.State state, float[]... arrays) {
        List<float[]> before = Stream.of(arrays).map(float[]::clone).toList();
        for (float[] a : arrays) {
            java.util.Arrays.fill(a, 0f);
        }
        trainer.restoreState(state);
        for (int i = 0; i < arrays.length; i++) {
            assertArrayEquals(before.get(i), arrays[i], "array " + i);
        }
    }

    @Test
    void atBatchOneAdamsLargeWeightsAreStoredByUnitOrInPanelsWithTheSameBitsOnOneTwoOrThreeThreads() {
        // 512×128 = 65,536 weights on the input: stored by unit; 128×512 after a ReLU: in panels
        // (BatchOneLayout.PANELS_MIN_SIZE), each thread running and updating its own; 512×3: row by row. Checkpoints
        // still hold PyTorch's layout (Adam's skipped rows settled) and restore in place
        List<float[]> weights = new ArrayList<>();
        for (int threads : new int[] {1, 2, 3}) {
            Experiment exp = new ExperimentBuilder("p").seed(1).epochs(2)
                    .train("format", "synthetic", "kind", "blobs", "samples", 40, "features", 512, "classes", 3,
                            "seed", 2)
                    .batchSize(1).input(512).layer("linear", "out", 128).layer("relu").layer("linear", "out", 512)
                    .layer("relu").layer("linear", "out", 3)
                    .loss("cross_entropy").optimizer("adam", "lr", 0.01).build(tmp.resolve("t" + threads));
            Sequential model = exp.buildModel();
            TrainingData data = TrainingData.load(exp, model.inputShape(), 3);
            try (Trainer trainer = new Trainer(exp, data, model, threads)) {
                Parameter byUnit = model.params().get(0);
                assertFalse(byUnit.storedTransposed(), "by unit: [out, in]");
                assertEquals(0, byUnit.panelWidth());
                Parameter w = model.params().get(2);
                assertEquals(64, w.panelWidth());
                assertEquals(0, model.params().get(4).panelWidth(), "512×3: row by row");
                trainer.fit();
                float[] all = new float[0];
                for (int i : new int[] {0, 2}) {
                    Parameter p = model.params().get(i);
                    float[] inShape = p.inShapeOrder(p.data());
                    all = concat(all, inShape);
                    Stateful.State state = trainer.saveState();
                    assertArrayEquals(inShape, state.arrays().get("model." + i + ".weight"));
                    float[] expAvgSq = trainer.optimizer().state().get("exp_avg_sq." + i);
                    assertArrayEquals(p.inShapeOrder(expAvgSq), state.arrays().get("optimizer.exp_avg_sq." + i));
                    restoresInPlace(trainer, state, p.data(), expAvgSq);
                }
                weights.add(all);
            }
        }
        assertArrayEquals(weights.get(0), weights.get(1), "1 against 2 threads");
        assertArrayEquals(weights.get(0), weights.get(2), "1 against 3 threads");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void dropLastDropsTheRemainder() throws IOException {
        Experiment exp = blobs(1).batchSize(32).dropLast(true).build(tmp);
        Run.train(exp, Run.Options.defaults().withOutDir(tmp.resolve("run")));
        List<String> rows = Files.readAllLines(tmp.resolve("run/batches.csv"));
        assertEquals(1 + 300 / 32, rows.size());
    }

    @Test
    void shufflingIsAFunctionOfSeedAndEpoch() {
        Experiment exp = blobs(1).build(tmp);
        TrainingData data = TrainingData.load(exp, new int[] {4}, 3);
        BatchLoader a = new BatchLoader(data.train(), List.of(), exp.data(), 7);
        BatchLoader b = new BatchLoader(data.train(), List.of(), exp.data(), 7);
        a.startEpoch(3);
        b.startEpoch(2);
        b.startEpoch(3);
        assertArrayEquals(a.order(), b.order());
        int[] third = a.order().clone();
        a.startEpoch(4);
        assertTrue(!java.util.Arrays.equals(third, a.order()), "a new order each epoch");
    }

    @Test
    void waitsForTheCompiledKernelsOnlyWhenTheRunIsLarge() {
        // the digits demo (4,810 parameters, 1,437 samples, 20 epochs) starts at once;
        // Fashion-MNIST's MLP (235,146 parameters, 60,000 samples) waits, even for one epoch
        org.junit.jupiter.api.Assertions.assertFalse(Trainer.waitsForWarmUp(4_810, 1_437, 20));
        org.junit.jupiter.api.Assertions.assertTrue(Trainer.waitsForWarmUp(235_146, 60_000, 1));
    }
}
