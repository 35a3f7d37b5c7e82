package org.epochal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.epochal.BadInputException;
import org.epochal.config.ConfigException;
import org.epochal.config.Experiment;
import org.epochal.data.Dataset;
import org.epochal.data.SourceSpec;
import org.epochal.run.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `epochal evaluate RUN_DIR --data SOURCE`: loss and metrics of the run's model on other data. SOURCE is
 * an experiment file (its data.test, else data.train, is evaluated) or a CSV file read like the run's
 * training CSV.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a run's model on other data.")
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR")
    Path runDir;

    @Option(names = "--data", required = true, paramLabel = "SOURCE_FILE_OR_CONFIG")
    Path data;

    @Override
    public Integer call() {
        RunFolders.check(runDir);
        if (!Files.isRegularFile(data)) {
            throw new BadInputException("--data " + data + ": file not found");
        }
        SavedModel saved = SavedModel.load(runDir);
        String name = data.getFileName().toString().toLowerCase(Locale.ROOT);
        Dataset dataset;
        if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
            ExperimentFile file = ExperimentFile.load(data);
            Experiment other = file.read();
            SourceSpec source = other.data().test() != null ? other.data().test() : other.data().train();
            String key = other.data().test() != null ? "data.test" : "data.train";
            try {
                dataset = saved.prepare(key, source);
            } catch (ConfigException e) {
                throw new BadInputException(file.locate(e));
            }
        } else {
            try {
                dataset = saved.prepare("--data", saved.csvLike(data));
            } catch (ConfigException e) {
                throw new BadInputException(e.getMessage());
            }
        }
        Map<String, Double> result = saved.evaluate(dataset);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d samples", dataset.size()));
        result.forEach((k, v) -> line.append(String.format(Locale.ROOT, " - %s: %.4f", k, v)));
        System.out.println(line);
        return 0;
    }
}
