package org.epochal.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.config.ConfigException;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentReader;
import org.epochal.diagnose.Detector;
import org.epochal.diagnose.Diagnoser;
import org.epochal.diagnose.DiagnosisCallback;
import org.epochal.diagnose.DiagnosisReport;
import org.epochal.diagnose.Probes;
import org.epochal.io.Json;
import org.epochal.io.Weights;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Layer;
import org.epochal.layer.Sequential;
import org.epochal.tensor.Shapes;
import org.epochal.train.Callback;
import org.epochal.train.EarlyStopping;
import org.epochal.train.Events;
import org.epochal.train.Stateful;
import org.epochal.train.Trainer;
import org.epochal.train.TrainingData;

/**
 * One training run and its folder (SPEC section 3): checks everything first — experiment, data, weights —
 * so that bad input writes nothing; then creates the folder, trains with the recording, checkpointing,
 * early-stopping and progress callbacks, and writes model.safetensors, report.html and diagnosis.json.
 * {@link #resume} continues a stopped or killed run from its newest checkpoint, bit for bit.
 */
public final class Run {
    /**
     * How to run: output folder (null: runs/NAME-TIMESTAMP), threads (with {@code chooseThreads}, the most:
     * each step runs on all of them or on one, whichever measures faster: {@link Trainer#chooseThreads}),
     * terminal output, starting weights.
     */
    public record Options(Path outDir, int threads, boolean quiet, Path initWeights, PrintStream out, boolean live,
                          List<Callback> extraCallbacks, List<Detector> detectors, boolean chooseThreads) {
        public Options(Path outDir, int threads, boolean quiet, Path initWeights, PrintStream out, boolean live,
                       List<Callback> extraCallbacks) {
            this(outDir, threads, quiet, initWeights, out, live, extraCallbacks, List.of(), false);
        }

        public static Options defaults() {
            return new Options(null, 1, true, null, System.out, false, List.of());
        }

        public Options withOutDir(Path dir) {
            return new Options(dir, threads, quiet, initWeights, out, live, extraCallbacks, detectors, chooseThreads);
        }

        public Options withThreads(int n) {
            return new Options(outDir, n, quiet, initWeights, out, live, extraCallbacks, detectors, chooseThreads);
        }

        /** Up to {@code n} threads: all or one for each step, as measured in the run. */
        public Options withThreadsChosenUpTo(int n) {
            return new Options(outDir, n, quiet, initWeights, out, live, extraCallbacks, detectors, true);
        }

        /** Adds detectors of one's own to the standard ones (they run after every epoch and at the end). */
        public Options withDetectors(List<Detector> more) {
            return new Options(outDir, threads, quiet, initWeights, out, live, extraCallbacks, more, chooseThreads);
        }
    }

    /** The folder, how the run ended, and the process exit code it calls for (0, or 3 for divergence). */
    public record Result(Path dir, Events.RunEnd end, Sequential model, int exitCode) {
    }

    private Run() {
    }

    public static Result train(Experiment exp, Options options) throws IOException {
        Sequential model = exp.buildModel();
        if (options.initWeights() != null) {
            Weights.load(model, options.initWeights());
        }
        TrainingData data = prepare(exp, model);
        Path dir = options.outDir() != null ? options.outDir() : Path.of("runs",
                exp.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir.resolve("config.yaml")) || (Files.exists(dir) && !Files.isDirectory(dir))) {
            throw new ConfigException("", dir + " already holds a run (continue it with --resume " + dir
                    + ", or choose another --out)");
        }
        Files.createDirectories(dir);
        writeConfig(dir, exp);
        return execute(exp, model, data, dir, options, null);
    }

    /** Continues the run in {@code dir}; {@code epochs}, when positive, replaces the experiment's epoch count. */
    public static Result resume(Path dir, int epochs, Options options) throws IOException {
        Checkpoints.Loaded checkpoint = Checkpoints.latest(dir);
        Map<String, Object> tree = new LinkedHashMap<>(checkpoint.experiment());
        if (epochs > 0) {
            tree.put("epochs", epochs);
        }
        Experiment exp = ExperimentReader.read(tree, dir, String.valueOf(tree.get("name")));
        Sequential model = exp.buildModel();
        TrainingData data = prepare(exp, model);
        if (epochs > 0) {
            writeConfig(dir, exp);
        }
        return execute(exp, model, data, dir, options, checkpoint);
    }

    /** The experiment stored in a run's newest checkpoint, as a tree. */
    public static Map<String, Object> experimentOf(Path dir) {
        return Checkpoints.latest(dir).experiment();
    }

    private static TrainingData prepare(Experiment exp, Sequential model) {
        int outputs = Shapes.size(model.outputShape());
        TrainingData data = TrainingData.load(exp, model.inputShape(), outputs);
        checkBatchNormBatches(exp, model, data);
        return data;
    }

    /** Batchnorm over vectors needs 2+ samples per training batch: the last batch counts too. */
    private static void checkBatchNormBatches(Experiment exp, Sequential model, TrainingData data) {
        int batch = exp.data().batchSize();
        int n = data.train().size();
        for (Layer layer : model.layers()) {
            if (layer instanceof BatchNorm && Shapes.size(layer.inputShape()) / layer.inputShape()[0] == 1) {
                if (batch < 2) {
                    throw new ConfigException("data.batch_size", "batch size 1 gives " + layer.where()
                            + " one value per channel, and batch statistics need at least 2 (raise batch_size)");
                }
                if (!exp.data().dropLast() && n % batch == 1) {
                    throw new ConfigException("data.batch_size", n + " training samples in batches of " + batch
                            + " leave a last batch of 1 sample, which " + layer.where() + " cannot normalise in"
                            + " training (set data.drop_last: true or change batch_size)");
                }
            }
        }
    }

    private static void writeConfig(Path dir, Experiment exp) throws IOException {
        Path tmp = dir.resolve("config.yaml.tmp");
        Files.writeString(tmp, "# The experiment as resolved by Epochal: every default filled in, every --set applied.\n"
                + YamlWriter.write(exp.resolved()), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("config.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Result execute(Experiment exp, Sequential model, TrainingData data, Path dir, Options options,
                                  Checkpoints.Loaded checkpoint) throws IOException {
        try (Trainer trainer = new Trainer(exp, data, model, options.threads()).chooseThreads(options.chooseThreads())) {
            List<String> columns = columns(exp, data);
            List<Stateful> parts = new ArrayList<>(List.of(trainer));
            EarlyStopping early = exp.earlyStopping() == null ? null : new EarlyStopping(exp.earlyStopping(), model);
            try (CsvRecorder csv = new CsvRecorder(dir, columns, checkpoint == null ? -1 : checkpoint.epoch())) {
                trainer.addCallback(csv);
                if (!options.quiet()) {
                    trainer.addCallback(new ProgressPrinter(options.out(), options.live()));
                }
                if (early != null) {
                    trainer.addCallback(early);
                    parts.add(early);
                }
                if (!exp.diagnostics().equals("off")) {
                    trainer.addCallback(new Probes(dir, exp.diagnostics().equals("deep"), exp.resolved()));
                }
                trainer.addCallback(new DiagnosisCallback(dir, Diagnoser.standard().with(options.detectors()),
                        options.quiet() ? null : options.out()));
                for (Callback c : options.extraCallbacks()) {
                    trainer.addCallback(c);
                    if (c instanceof Stateful s) {
                        parts.add(s);
                    }
                }
                trainer.addCallback(new Checkpoints(dir, parts, exp.resolved(), exp.checkpoint().every(),
                        exp.checkpoint().keepLast(), exp.epochs()));
                if (checkpoint != null) {
                    parts.forEach(checkpoint::restore);
                }
                Events.RunEnd end = trainer.fit();
                finish(dir, exp, trainer, end);
                return new Result(dir, end, model, end.diverged() ? 3 : 0);
            }
        }
    }

    /** epochs.csv's value columns: train_, then val_ and test_ when those sets exist. */
    private static List<String> columns(Experiment exp, TrainingData data) {
        List<String> columns = new ArrayList<>();
        for (String split : new String[] {"train", "val", "test"}) {
            if (split.equals("val") && data.validation() == null || split.equals("test") && data.test() == null) {
                continue;
            }
            columns.add(split + "_loss");
            exp.metrics().forEach(m -> columns.add(split + "_" + m));
        }
        return columns;
    }

    /** model.safetensors (with what evaluation needs in its metadata), diagnosis.json, report.html. */
    private static void finish(Path dir, Experiment exp, Trainer trainer, Events.RunEnd end) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("epochal_experiment", Json.write(exp.resolved()));
        metadata.put("normalization", Json.write(trainer.data().normalization().toMap()));
        metadata.put("class_names", Json.write(trainer.data().train().classNames()));
        metadata.put("epochs_trained", Integer.toString(trainer.epochsDone()));
        Weights.save(trainer.model(), dir.resolve("model.safetensors"), metadata);
        writeReport(dir, exp.name());
    }

    /** report.html with the diagnosis: findings marked on the curves, layer health, evidence. */
    public static void writeReport(Path dir, String name) throws IOException {
        ReportWriter report = new ReportWriter(dir, name);
        DiagnosisReport.addTo(report, dir);
        report.write();
    }
}
