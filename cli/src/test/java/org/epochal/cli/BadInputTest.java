package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad experiment file or data stops before training: exit code 2, one message on stderr
 * naming the file and the line or key, no stack trace, and no run folder.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    private static final String CSV_EXPERIMENT = """
            name: bad
            epochs: 1
            data:
              train: {format: csv, path: data.csv, label: y}
              batch_size: 4
            model:
              input: [2]
              layers:
                - {type: linear, out: 3}
            loss: cross_entropy
            """;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** Runs train on {@code experiment}, expects exit 2 with every fragment in the message, and no run. */
    private void assertRefused(Path experiment, String... fragments) {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", experiment.toString(), "--out", run.toString(), "--quiet");
        assertEquals(2, r.exit(), r.toString());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one message: " + r.err());
        assertFalse(Files.exists(run), "nothing written");
    }

    private Path csvExperiment(String csv) throws IOException {
        write("data.csv", csv);
        return write("exp.yaml", CSV_EXPERIMENT);
    }

    @Test
    void unknownKey() throws IOException {
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("epochs: 1", "epochs: 1\noptimiser: {type: sgd}"));
        write("data.csv", "a,b,y\n1,2,0\n");
        assertRefused(e, "exp.yaml:3", "key 'optimiser': unknown key");
    }

    @Test
    void unknownLayerOption() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("out: 3}", "out: 3, activation: relu}"));
        assertRefused(e, "exp.yaml:9", "key 'model.layers.0.activation': unknown key");
    }

    @Test
    void limitBelowOne() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("label: y}", "label: y, limit: 0}"));
        assertRefused(e, "exp.yaml:4", "key 'data.train.limit': expected a positive number of samples, got 0");
    }

    @Test
    void wrongType() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("batch_size: 4", "batch_size: many"));
        assertRefused(e, "exp.yaml:5", "key 'data.batch_size': expected an integer, got 'many'");
    }

    @Test
    void missingFile() throws IOException {
        Path e = write("exp.yaml", CSV_EXPERIMENT);
        assertRefused(e, "exp.yaml:4", "key 'data.train.path': file not found", "data.csv");
    }

    @Test
    void impossibleShape() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("input: [2]", "input: [1, 2, 1]")
                .replace("- {type: linear, out: 3}", "- {type: conv2d, out: 3, kernel: 3}"));
        assertRefused(e, "exp.yaml:9", "key 'model.layers.0'", "kernel 3x3 is larger than the padded input 2x1");
    }

    @Test
    void batchNormWithBatchSizeOne() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n3,4,1\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT.replace("batch_size: 4", "batch_size: 1")
                .replace("- {type: linear, out: 3}", "- {type: linear, out: 3}\n    - {type: batchnorm}"));
        assertRefused(e, "exp.yaml:5", "key 'data.batch_size'", "layer 1 (batchnorm)", "at least 2");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path e = csvExperiment("a,b,y\n1,2,0\n3,4,7\n");
        assertRefused(e, "exp.yaml:4", "key 'data.train'", "label 7 of sample 2 is out of range for a model with 3 outputs");
    }

    @Test
    void csvRowWithTheWrongNumberOfFields() throws IOException {
        Path e = csvExperiment("a,b,y\n1,2,0\n3,4\n");
        assertRefused(e, "data.csv:3", "expected 3 fields, found 2");
    }

    @Test
    void csvNonNumber() throws IOException {
        Path e = csvExperiment("a,b,y\n1,2,0\n3,x4,1\n");
        assertRefused(e, "data.csv:3", "'x4'");
    }

    @Test
    void nanInTheData() throws IOException {
        Path e = csvExperiment("a,b,y\n1,NaN,0\n3,4,1\n");
        assertRefused(e, "data.csv:2", "NaN");
    }

    @Test
    void infinityInTheData() throws IOException {
        Path e = csvExperiment("a,b,y\n1,2,0\n3,inf,1\n");
        assertRefused(e, "data.csv:3");
    }

    private Path idx(String name, int magic, int... dims) throws IOException {
        Path p = tmp.resolve(name);
        int count = 1;
        for (int d : dims) {
            count *= d;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + count);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(b.array());
        }
        return p;
    }

    private static final String IDX_EXPERIMENT = """
            epochs: 1
            data:
              train: {format: idx, images: images.gz, labels: labels.gz}
            model:
              input: [1, 2, 2]
              layers: [{type: flatten}, {type: linear, out: 10}]
            loss: cross_entropy
            """;

    @Test
    void idxWithAWrongMagicNumber() throws IOException {
        idx("images.gz", 0x0801, 3);
        idx("labels.gz", 0x0801, 3);
        assertRefused(write("exp.yaml", IDX_EXPERIMENT), "images.gz", "magic");
    }

    @Test
    void idxWhoseSizeDoesNotMatchItsHeader() throws IOException {
        Path images = idx("images.gz", 0x0803, 3, 2, 2);
        byte[] all;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(images))) {
            all = in.readAllBytes();
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(images))) {
            out.write(all, 0, all.length - 3);
        }
        idx("labels.gz", 0x0801, 3);
        assertRefused(write("exp.yaml", IDX_EXPERIMENT), "images.gz");
    }

    @Test
    void yamlSyntaxError() throws IOException {
        Path e = write("exp.yaml", "epochs: 1\ndata: {train: [\n");
        assertRefused(e, "exp.yaml:", "YAML syntax error");
    }

    @Test
    void duplicateKey() throws IOException {
        Path e = write("exp.yaml", "epochs: 1\nepochs: 2\n");
        assertRefused(e, "exp.yaml:2", "duplicate");
    }

    @Test
    void badSetOverrideNamesIt() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT + "optimizer: {type: sgd, lr: 0.1}\n");
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", e.toString(), "--out", run.toString(), "--set", "optimizer.lr=fast");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--set optimizer.lr=fast: key 'optimizer.lr': expected a number"), r.err());
        Cli.Result r2 = Cli.run("train", e.toString(), "--out", run.toString(), "--set", "model.layers.5.out=2");
        assertEquals(2, r2.exit(), r2.toString());
        assertTrue(r2.err().contains("index 5 is outside the list of 1 items at 'model.layers'"), r2.err());
        assertFalse(Files.exists(run));
    }

    @Test
    void offAndNoAreWordsNotBooleans() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n3,4,1\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT + "diagnostics: off\n");
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", e.toString(), "--out", run.toString(), "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(org.epochal.cli.ExperimentFile.load(run.resolve("config.yaml")).read().diagnostics().equals("off"));
        assertFalse(Files.exists(run.resolve("probes.jsonl")));
    }

    @Test
    void unknownCommandOrOptionIsUsageError() {
        assertEquals(2, Cli.run("fly").exit());
        assertEquals(2, Cli.run("train").exit());
    }

    @Test
    void hostileInitWeightsFile() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n");
        Path e = write("exp.yaml", CSV_EXPERIMENT);
        Path weights = tmp.resolve("w.safetensors");
        Files.write(weights, new byte[] {(byte) 0xff, 0x7f, 0, 0, 0, 0, 0, 0x10, 1, 2, 3});
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", e.toString(), "--out", run.toString(), "--init-weights", weights.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("w.safetensors: declares a header of"), r.err());
        assertFalse(Files.exists(run));
    }
}
