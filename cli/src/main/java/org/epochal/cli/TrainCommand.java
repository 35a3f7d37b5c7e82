package org.epochal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.epochal.BadInputException;
import org.epochal.config.ConfigException;
import org.epochal.config.Experiment;
import org.epochal.run.Run;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `epochal train CONFIG`: a new run, or the continuation of a stopped one with --resume. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train the experiment of CONFIG.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG", description = "experiment file (YAML or JSON)")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default runs/NAME-yyyyMMdd-HHmmss)")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "override epochs")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", description = "override seed")
    Long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one key, e.g. optimizer.lr=0.1")
    List<String> sets = new ArrayList<>();

    @Option(names = "--init-weights", paramLabel = "FILE", description = "starting weights (safetensors)")
    Path initWeights;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a stopped or killed run")
    Path resume;

    @Option(names = "--threads", paramLabel = "N", description = "compute threads (default: all cores or one, for"
            + " each step whichever measures faster in the run; results are identical for any N)")
    Integer threads;

    @Option(names = "--quiet", description = "no progress or epoch lines")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        ExperimentFile file = ExperimentFile.load(config);
        if (epochs != null) {
            file.set("epochs=" + epochs);
        }
        if (seed != null) {
            file.set("seed=" + seed);
        }
        sets.forEach(file::set);
        Experiment exp = file.read();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw new BadInputException("--threads: expected at least 1, got " + n);
        }
        Run.Options options = new Run.Options(out, n, quiet, initWeights, System.out, System.console() != null, List.of());
        if (threads == null) {
            options = options.withThreadsChosenUpTo(n);
        }
        Run.Result result;
        try {
            if (resume != null) {
                if (initWeights != null || out != null) {
                    throw new BadInputException("--resume continues RUN_DIR as it was: it takes no --out or --init-weights");
                }
                if (!Files.isDirectory(resume)) {
                    throw new BadInputException("--resume " + resume + ": no such run folder");
                }
                checkSameExperiment(exp, Run.experimentOf(resume));
                result = Run.resume(resume, exp.epochs(), options);
            } else {
                if (initWeights != null && !Files.isRegularFile(initWeights)) {
                    throw new BadInputException("--init-weights " + initWeights + ": file not found");
                }
                result = Run.train(exp, options);
            }
        } catch (ConfigException e) {
            throw new BadInputException(file.locate(e));
        }
        if (!quiet) {
            System.out.println("Run folder: " + result.dir());
        }
        if (result.exitCode() == 3) {
            System.err.println("epochal: training diverged: " + result.end().stopReason() + " (see "
                    + result.dir().resolve("diagnosis.json") + ")");
        }
        return result.exitCode();
    }

    /** A resume continues the same experiment: only epochs may differ. */
    private static void checkSameExperiment(Experiment exp, Map<String, Object> stored) {
        Map<String, Object> now = new LinkedHashMap<>(exp.resolved());
        Map<String, Object> then = new LinkedHashMap<>(stored);
        now.remove("epochs");
        then.remove("epochs");
        String a = org.epochal.io.Json.write(now);
        String b = org.epochal.io.Json.write(then);
        if (!a.equals(b)) {
            List<String> keys = new ArrayList<>();
            for (String k : now.keySet()) {
                if (!org.epochal.io.Json.write(now.get(k)).equals(org.epochal.io.Json.write(then.get(k)))) {
                    keys.add(k);
                }
            }
            throw new BadInputException("--resume: CONFIG differs from the experiment of the run in "
                    + String.join(", ", keys) + " (only epochs may change when resuming)");
        }
    }
}
