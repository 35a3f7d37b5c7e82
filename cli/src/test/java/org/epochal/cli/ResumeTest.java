package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.epochal.io.SafeTensors;
import org.epochal.run.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL in the middle of an epoch and resumed with --resume ends with the same weights,
 * bit for bit, as a run never interrupted — with shuffling, dropout, augmentation, a plateau schedule and
 * early stopping state all crossing the checkpoint, and another thread count after the resume.
 */
class ResumeTest {
    @TempDir
    Path tmp;

    private static final String EXPERIMENT = """
            name: resume
            seed: 5
            epochs: 5
            data:
              train: {format: synthetic, kind: blobs, samples: 12000, features: 24, classes: 4, seed: 3}
              validation: {fraction: 0.1}
              batch_size: 16
              augment: [{type: gaussian_noise, std: 0.05, from_epoch: 2}]
              normalize: {type: standard}
            model:
              input: [24]
              layers:
                - {type: linear, out: 192}
                - {type: relu}
                - {type: dropout, p: 0.2}
                - {type: linear, out: 192}
                - {type: batchnorm}
                - {type: tanh}
                - {type: linear, out: 4}
            loss: cross_entropy
            optimizer: {type: adam, lr: 0.002}
            schedule: [{type: reduce_on_plateau, monitor: val_loss, patience: 0, factor: 0.5}]
            early_stopping: {monitor: val_loss, patience: 10, restore_best: true}
            checkpoint: {every: 1, keep_last: 2}
            """;

    /**
     * Batches of 256 through linear layers and activations: steps by halves (Sequential#trainByHalves), their
     * samples gathered in their halves until the noise starts in epoch 3, then by the loader.
     */
    private static final String BY_HALVES = """
            name: resume-halves
            seed: 5
            epochs: 5
            data:
              train: {format: synthetic, kind: blobs, samples: 26000, features: 24, classes: 4, seed: 3}
              validation: {fraction: 0.1}
              batch_size: 256
              augment: [{type: gaussian_noise, std: 0.05, from_epoch: 3}]
              normalize: {type: standard}
            model:
              input: [24]
              layers:
                - {type: linear, out: 192}
                - {type: relu}
                - {type: linear, out: 192}
                - {type: tanh}
                - {type: linear, out: 4}
            loss: cross_entropy
            optimizer: {type: adam, lr: 0.002}
            schedule: [{type: reduce_on_plateau, monitor: val_loss, patience: 0, factor: 0.5}]
            checkpoint: {every: 1, keep_last: 2}
            """;

    @Test
    void killedMidEpochAndResumedGivesTheSameBits() throws Exception {
        killAndResume(EXPERIMENT, 100, 500);
    }

    @Test
    void aRunByHalvesKilledMidEpochAndResumedGivesTheSameBits() throws Exception {
        killAndResume(BY_HALVES, 20, 70);
    }

    /** A whole run on one thread against one killed (two threads) in batches [from, to] of epoch 2 or later and resumed. */
    private void killAndResume(String experiment, int from, int to) throws Exception {
        Path exp = tmp.resolve("resume.yaml");
        Files.writeString(exp, experiment);
        Path whole = tmp.resolve("whole");
        assertEquals(0, Cli.run("train", exp.toString(), "--out", whole.toString(), "--quiet", "--threads", "1").exit());

        Path killed = tmp.resolve("killed");
        Process p = new ProcessBuilder(javaBinary(), "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.epochal.cli.Epochal", "train", exp.toString(), "--out", killed.toString(), "--quiet",
                "--threads", "2").redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        int epochAtKill = waitForMidEpoch(killed.resolve("batches.csv"), p, from, to);
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        p.waitFor(30, TimeUnit.SECONDS);
        assertTrue(epochAtKill >= 2 && epochAtKill <= 4, "killed during epoch " + epochAtKill);
        assertTrue(CsvTable.read(killed.resolve("epochs.csv")).rows() < 5, "the run did not finish");

        Cli.Result resumed = Cli.run("train", exp.toString(), "--resume", killed.toString(), "--threads", "1");
        assertEquals(0, resumed.exit(), resumed.toString());
        assertTrue(resumed.out().contains("Resuming at epoch"), resumed.out());

        Map<String, SafeTensors.Entry> a = SafeTensors.read(whole.resolve("model.safetensors")).tensors();
        Map<String, SafeTensors.Entry> b = SafeTensors.read(killed.resolve("model.safetensors")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            if (a.get(name).floats() != null) {
                assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
            } else {
                assertArrayEquals(a.get(name).longs(), b.get(name).longs(), name);
            }
        }
        CsvTable wholeBatches = CsvTable.read(whole.resolve("batches.csv"));
        CsvTable resumedBatches = CsvTable.read(killed.resolve("batches.csv"));
        assertArrayEquals(wholeBatches.column("loss"), resumedBatches.column("loss"), "every batch's loss, once each");
        assertArrayEquals(wholeBatches.column("lr"), resumedBatches.column("lr"));
        assertArrayEquals(CsvTable.read(whole.resolve("epochs.csv")).column("val_loss"),
                CsvTable.read(killed.resolve("epochs.csv")).column("val_loss"));
        // the diagnostics too: the input statistics' shift after a resume once differed by 2e-8
        assertEquals(Files.readString(whole.resolve("probes.jsonl")), Files.readString(killed.resolve("probes.jsonl")));
        assertEquals(Files.readString(whole.resolve("diagnosis.json")), Files.readString(killed.resolve("diagnosis.json")));
    }

    /** Waits until the child has written batches [from, to] of epoch 2 or later; returns that epoch. */
    private static int waitForMidEpoch(Path batches, Process p, int from, int to)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(batches)) {
                List<String> lines = new ArrayList<>(Files.readAllLines(batches));
                if (lines.size() > 1) {
                    // The child may be writing the last line right now: judge the last complete one.
                    String[] last = lines.get(lines.size() - (lines.size() > 2 ? 2 : 1)).split(",");
                    if (last.length >= 7 && last[0].matches("\\d+") && last[1].matches("\\d+")) {
                        int epoch = Integer.parseInt(last[0]);
                        int batch = Integer.parseInt(last[1]);
                        if (epoch >= 2 && batch >= from && batch <= to) {
                            return epoch;
                        }
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the child run never reached the middle of epoch 2 (alive: " + p.isAlive() + ")");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
