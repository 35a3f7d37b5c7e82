package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentBuilder;
import org.epochal.io.SafeTensors;
import org.epochal.run.CsvTable;
import org.epochal.run.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `epochal train` end to end on the shipped digits: the run folder's files and values. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static Path example(String name) {
        return Path.of("..", "examples", name).toAbsolutePath().normalize();
    }

    @Test
    void trainsTheDigitsDemoAndWritesTheRunFolder() throws IOException {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", example("digits-mlp.yaml").toString(), "--out", run.toString(),
                "--epochs", "3", "--set", "early_stopping.patience=10", "--threads", "2");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Epoch 3/3"), r.out());
        for (String f : List.of("config.yaml", "batches.csv", "epochs.csv", "diagnosis.json", "report.html",
                "model.safetensors")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        CsvTable batches = CsvTable.read(run.resolve("batches.csv"));
        assertEquals(List.of("epoch", "batch", "step", "samples", "loss", "lr", "grad_norm"), batches.columns());
        int trainSamples = 1797 - (int) Math.round(0.2 * 1797); // validation fraction 0.2
        int perEpoch = (trainSamples + 31) / 32;
        assertEquals(3 * perEpoch, batches.rows());
        CsvTable epochs = CsvTable.read(run.resolve("epochs.csv"));
        assertEquals(List.of("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                "samples_per_second"), epochs.columns());
        assertEquals(3, epochs.rows());
        // train_loss is the mean of the epoch's batch losses weighted by batch size
        double[] loss = batches.column("loss");
        double[] samples = batches.column("samples");
        double sum = 0;
        double n = 0;
        for (int i = 2 * perEpoch; i < 3 * perEpoch; i++) {
            sum += loss[i] * samples[i];
            n += samples[i];
        }
        assertEquals(sum / n, epochs.column("train_loss")[2], 1e-6);
        assertTrue(epochs.column("val_accuracy")[2] > 0.8, "digits learn fast: " + epochs.column("val_accuracy")[2]);
        // config.yaml is the resolved experiment: it reads back to the same tree, with the --set applied
        Experiment again = ExperimentFile.load(run.resolve("config.yaml")).read();
        assertEquals(3, again.epochs());
        assertEquals(10, again.earlyStopping().patience());
        assertEquals(Experiment.class, again.getClass());
        SafeTensors.Contents model = SafeTensors.read(run.resolve("model.safetensors"));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(model.tensors().keySet()));
        assertTrue(model.metadata().get("normalization").contains("scale"));
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("epoch 2 starts"), "report has charts with boundaries");
    }

    @Test
    void summaryEvaluateReportAndDiagnoseWorkOnTheRun() {
        Path run = tmp.resolve("run2");
        assertEquals(0, Cli.run("train", example("digits-mlp.yaml").toString(), "--out", run.toString(),
                "--epochs", "2", "--quiet").exit());
        Cli.Result summary = Cli.run("summary", example("fashion-cnn.yaml").toString());
        assertEquals(0, summary.exit(), summary.toString());
        assertTrue(summary.out().contains("[32, 26, 26]") && summary.out().contains("Total params: 225,034"),
                summary.out());
        Cli.Result eval = Cli.run("evaluate", run.toString(), "--data", example("digits-mlp.yaml").toString());
        assertEquals(0, eval.exit(), eval.toString());
        assertTrue(eval.out().startsWith("1797 samples - loss: "), eval.out());
        assertEquals(0, Cli.run("report", run.toString()).exit());
        Cli.Result diagnose = Cli.run("diagnose", run.toString());
        assertEquals(0, diagnose.exit(), diagnose.toString());
        assertTrue(diagnose.out().contains("findings"));
    }

    @Test
    void theJavaBuilderTrainsExactlyLikeTheFile() throws IOException {
        Path fromFile = tmp.resolve("file");
        assertEquals(0, Cli.run("train", example("digits-mlp.yaml").toString(), "--out", fromFile.toString(),
                "--epochs", "2", "--quiet", "--threads", "1").exit());
        Experiment built = new ExperimentBuilder("digits-mlp").seed(42).epochs(2)
                .train("format", "builtin", "name", "digits").validationFraction(0.2).batchSize(32).shuffle(true)
                .normalize("scale", 16)
                .input(64).layer("linear", "out", 64).layer("relu").layer("linear", "out", 10)
                .loss("cross_entropy").metrics("accuracy").optimizer("adam", "lr", 0.001)
                .earlyStopping("monitor", "val_loss", "patience", 5, "restore_best", true)
                .checkpoint(1, 2)
                .build(Path.of("."));
        Path fromCode = tmp.resolve("code");
        Run.train(built, Run.Options.defaults().withOutDir(fromCode).withThreads(2));
        assertEquals(Files.readString(fromFile.resolve("config.yaml")), Files.readString(fromCode.resolve("config.yaml")));
        Map<String, SafeTensors.Entry> a = SafeTensors.read(fromFile.resolve("model.safetensors")).tensors();
        Map<String, SafeTensors.Entry> b = SafeTensors.read(fromCode.resolve("model.safetensors")).tensors();
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name + " (1 thread vs 2, file vs code)");
        }
    }

    @Test
    void limitTrainsOnTheFirstSamplesOfASource() throws IOException {
        Path run = tmp.resolve("limited");
        Cli.Result r = Cli.run("train", example("digits-mlp.yaml").toString(), "--out", run.toString(),
                "--epochs", "1", "--quiet", "--set", "data.train.limit=300");
        assertEquals(0, r.exit(), r.toString());
        CsvTable batches = CsvTable.read(run.resolve("batches.csv"));
        // 300 samples, 60 of them split off for validation (fraction 0.2)
        assertEquals((240 + 31) / 32, batches.rows());
        assertEquals(240, (int) java.util.Arrays.stream(batches.column("samples")).sum());
        assertTrue(Files.readString(run.resolve("config.yaml")).contains("limit: 300"));
    }
}
