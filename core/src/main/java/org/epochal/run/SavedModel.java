package org.epochal.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentReader;
import org.epochal.data.Dataset;
import org.epochal.data.Normalization;
import org.epochal.data.SourceSpec;
import org.epochal.data.TargetKind;
import org.epochal.io.Json;
import org.epochal.io.SafeTensors;
import org.epochal.io.Weights;
import org.epochal.layer.Sequential;
import org.epochal.train.Evaluator;
import org.epochal.train.TrainingData;

/**
 * A run's trained model as model.safetensors holds it: the weights, and in the metadata the experiment
 * and the normalisation fitted on its training data, so new data is prepared exactly as training data was.
 */
public record SavedModel(Experiment experiment, Sequential model, Normalization normalization) {

    @SuppressWarnings("unchecked")
    public static SavedModel load(Path runDir) {
        Path file = runDir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(runDir + ": no model.safetensors (has the run finished an epoch?)");
        }
        SafeTensors.Contents contents = SafeTensors.read(file);
        String exp = contents.metadata().get("epochal_experiment");
        String norm = contents.metadata().get("normalization");
        if (exp == null || norm == null) {
            throw new BadInputException(file + ": has no Epochal experiment in its metadata (was it written by"
                    + " `epochal train`?)");
        }
        Map<String, Object> tree = (Map<String, Object>) Json.parse(exp);
        Experiment experiment = ExperimentReader.read(tree, runDir, String.valueOf(tree.get("name")));
        Sequential model = experiment.buildModel();
        Weights.load(model, file);
        return new SavedModel(experiment, model, Normalization.fromMap((Map<String, Object>) Json.parse(norm)));
    }

    /** Loads {@code source}, prepared like the training data (shape, normalisation, label check). */
    public Dataset prepare(String key, SourceSpec source) {
        TargetKind kind = experiment.classification() ? TargetKind.CLASS_INDEX : TargetKind.VALUES;
        Dataset data = TrainingData.load(key, source, kind, model.inputShape());
        normalization.apply(data);
        return data;
    }

    /** Loss and metrics on {@code data} in eval mode. */
    public Map<String, Double> evaluate(Dataset data) {
        return new Evaluator(model, experiment.loss(), experiment.metrics(),
                Math.max(256, experiment.data().batchSize())).evaluate(data);
    }

    /** The training source's CSV settings, to read another CSV file the same way. */
    public SourceSpec csvLike(Path file) {
        SourceSpec train = experiment.data().train();
        if (train instanceof SourceSpec.Limited limited) {
            train = limited.source();
        }
        if (train instanceof SourceSpec.Csv csv) {
            return new SourceSpec.Csv(file, csv.labels(), csv.header());
        }
        throw new BadInputException(file + ": a data file can be evaluated directly only for runs trained on CSV;"
                + " pass an experiment file whose data.test names the source instead");
    }

    public List<String> metrics() {
        return experiment.metrics();
    }
}
