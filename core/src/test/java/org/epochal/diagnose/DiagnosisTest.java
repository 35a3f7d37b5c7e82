package org.epochal.diagnose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epochal.config.ExperimentBuilder;
import org.epochal.io.SafeTensors;
import org.epochal.run.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The diagnosis as a Java API: reading findings, adding a detector, and probes that change nothing. */
class DiagnosisTest {
    @TempDir
    Path tmp;

    private static ExperimentBuilder run(String diagnostics) {
        return new ExperimentBuilder("d").seed(4).epochs(3)
                .train("format", "synthetic", "kind", "blobs", "samples", 400, "features", 6, "classes", 3, "seed", 1)
                .validationFraction(0.25).batchSize(16).normalize("standard")
                .input(6).layer("linear", "out", 24).layer("relu").layer("dropout", "p", 0.2).layer("linear", "out", 3)
                .loss("cross_entropy").optimizer("sgd", "lr", 1e-7).diagnostics(diagnostics);
    }

    @Test
    void probesDoNotChangeTraining() throws IOException {
        Run.train(run("off").build(tmp), Run.Options.defaults().withOutDir(tmp.resolve("off")));
        Run.train(run("deep").build(tmp), Run.Options.defaults().withOutDir(tmp.resolve("deep")).withThreads(2));
        Map<String, SafeTensors.Entry> a = SafeTensors.read(tmp.resolve("off/model.safetensors")).tensors();
        Map<String, SafeTensors.Entry> b = SafeTensors.read(tmp.resolve("deep/model.safetensors")).tensors();
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
        }
        assertTrue(!Files.exists(tmp.resolve("off/probes.jsonl")) && Files.exists(tmp.resolve("deep/probes.jsonl")));
    }

    @Test
    void liveDiagnosisAndAfterTheFactAgreeAndTheApiReadsThem() throws IOException {
        Path dir = tmp.resolve("run");
        Run.train(run("standard").build(tmp), Run.Options.defaults().withOutDir(dir));
        List<Finding> live = Diagnoser.read(dir);
        assertTrue(live.stream().anyMatch(f -> f.id().equals("stalled") && f.firstCause().equals("lr_too_small")),
                live.toString());
        List<Finding> again = Diagnoser.standard().diagnose(dir);
        assertEquals(live.size(), again.size());
        for (int i = 0; i < live.size(); i++) {
            assertEquals(live.get(i).toMap().toString(), again.get(i).toMap().toString());
        }
    }

    @Test
    void aDetectorOfOnesOwnReportsThroughTheRun() throws IOException {
        Detector slowEpochs = ev -> ev.finishedEpochs() >= 2
                ? List.of(new Finding("my_check", Finding.INFO, ev.finishedEpochs(), null, "two epochs done",
                        List.of(), "seen " + ev.batches().rows() + " batches", List.of()))
                : List.of();
        Path dir = tmp.resolve("custom");
        Run.train(run("standard").build(tmp), Run.Options.defaults().withOutDir(dir).withDetectors(List.of(slowEpochs)));
        assertTrue(Diagnoser.read(dir).stream().anyMatch(f -> f.id().equals("my_check")));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("my_check") && html.contains("Layer health"), "the report shows findings and health");
    }

    /** After every epoch the evidence read as the folder grows is the evidence read whole at that moment. */
    @Test
    void evidenceFollowedThroughTheRunIsTheFolderReadWhole() throws IOException {
        Path dir = tmp.resolve("followed");
        List<String> checked = new java.util.ArrayList<>();
        Detector compare = live -> {
            Evidence whole = Evidence.read(dir);
            for (var pair : List.of(List.of(live.batches(), whole.batches()), List.of(live.epochs(), whole.epochs()))) {
                assertEquals(pair.get(1).columns(), pair.get(0).columns());
                for (String c : pair.get(1).columns()) {
                    assertArrayEquals(pair.get(1).column(c), pair.get(0).column(c), 0.0, c);
                }
            }
            assertEquals(whole.experiment(), live.experiment());
            assertEquals(whole.preflight(), live.preflight());
            for (int e = 0; e <= live.finishedEpochs() + 1; e++) {
                assertEquals(whole.probe(e), live.probe(e), "probes of epoch " + e);
            }
            checked.add(live.finishedEpochs() + ":" + live.batches().rows());
            return List.of();
        };
        Run.train(run("standard").build(tmp), Run.Options.defaults().withOutDir(dir).withDetectors(List.of(compare)));
        // after epochs 1-3 (19 batches each), and once more at the end
        assertEquals(List.of("1:19", "2:38", "3:57", "3:57"), checked);
    }
}
