package org.epochal.train;

import java.util.ArrayList;
import java.util.List;
import org.epochal.config.ConfigException;
import org.epochal.config.Experiment;
import org.epochal.data.DataSources;
import org.epochal.data.Dataset;
import org.epochal.data.Normalization;
import org.epochal.data.SourceSpec;
import org.epochal.data.Splits;
import org.epochal.data.TargetKind;
import org.epochal.tensor.Shapes;

/**
 * The data of one run, loaded and checked before any training: training, validation and test sets,
 * the additions of data.schedule, and the normalisation fitted on the training set alone and applied
 * to all of them. Every problem is a {@link ConfigException} naming the data key.
 */
public record TrainingData(Dataset train, Dataset validation, Dataset test, List<Addition> additions,
                           Normalization normalization) {

    /** Samples that join the training data from {@code epoch} on. */
    public record Addition(int epoch, Dataset data) {
    }

    /**
     * Loads every source of {@code exp}, reshapes samples to the model's input, splits off validation,
     * fits and applies the normalisation, and checks labels against the model's {@code outputs}.
     */
    public static TrainingData load(Experiment exp, int[] modelInput, int outputs) {
        Experiment.DataSpec spec = exp.data();
        TargetKind kind = exp.classification() ? TargetKind.CLASS_INDEX : TargetKind.VALUES;
        Dataset train = load("data.train", spec.train(), kind, modelInput);
        Dataset validation = null;
        if (spec.validationFraction() > 0) {
            if (train.size() < 2) {
                throw new ConfigException("data.validation.fraction", "needs at least 2 training samples, "
                        + train.origin() + " has " + train.size());
            }
            Dataset[] parts = Splits.validationSplit(train, spec.validationFraction(), exp.seed(), exp.classification());
            train = parts[0];
            validation = parts[1];
        } else if (spec.validation() != null) {
            validation = load("data.validation", spec.validation(), kind, modelInput);
        }
        Dataset test = spec.test() == null ? null : load("data.test", spec.test(), kind, modelInput);
        List<Addition> additions = new ArrayList<>();
        for (int i = 0; i < spec.schedule().size(); i++) {
            Experiment.DataAddSpec add = spec.schedule().get(i);
            additions.add(new Addition(add.epoch(), load("data.schedule." + i + ".add", add.source(), kind, modelInput)));
        }
        if (exp.classification()) {
            // String labels are numbered per file: number every other set by the training set's classes.
            List<String> classes = train.classNames();
            validation = validation == null ? null : align("data.validation", validation, classes);
            test = test == null ? null : align("data.test", test, classes);
            for (int i = 0; i < additions.size(); i++) {
                Addition a = additions.get(i);
                additions.set(i, new Addition(a.epoch(), align("data.schedule." + i + ".add", a.data(), classes)));
            }
        }
        Normalization normalization = Normalization.fit(spec.normalize().type(), spec.normalize().factor(), train);
        normalization.apply(train);
        if (validation != null) {
            normalization.apply(validation);
        }
        if (test != null) {
            normalization.apply(test);
        }
        for (Addition a : additions) {
            normalization.apply(a.data());
        }
        checkTargets("data.train", train, exp, outputs);
        if (validation != null) {
            checkTargets(spec.validation() != null ? "data.validation" : "data.train", validation, exp, outputs);
        }
        if (test != null) {
            checkTargets("data.test", test, exp, outputs);
        }
        for (int i = 0; i < additions.size(); i++) {
            checkTargets("data.schedule." + i + ".add", additions.get(i).data(), exp, outputs);
        }
        return new TrainingData(train, validation, test, additions, normalization);
    }

    private static Dataset align(String key, Dataset data, List<String> classes) {
        try {
            return DataSources.alignClasses(data, classes);
        } catch (org.epochal.BadInputException | IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    /** Loads one source, read as the model's input shape; errors name {@code key}. */
    public static Dataset load(String key, SourceSpec source, TargetKind kind, int[] modelInput) {
        Dataset data;
        try {
            data = DataSources.load(source, kind);
        } catch (ConfigException e) {
            throw e.under(key);
        } catch (org.epochal.BadInputException e) {
            throw new ConfigException(key, e.getMessage());
        }
        if (data.size() == 0) {
            throw new ConfigException(key, data.origin() + " holds no samples");
        }
        if (data.sampleSize() != Shapes.size(modelInput)) {
            throw new ConfigException(key, data.origin() + " has samples of shape " + Shapes.toString(data.sampleShape())
                    + " (" + data.sampleSize() + " values) but model.input " + Shapes.toString(modelInput) + " needs "
                    + Shapes.size(modelInput) + " values");
        }
        return data.reshaped(modelInput);
    }

    /** Class indices within the model's outputs; value targets as many as the outputs. */
    static void checkTargets(String key, Dataset data, Experiment exp, int outputs) {
        float[] t = data.targets();
        if (exp.classification()) {
            for (int i = 0; i < t.length; i++) {
                if (t[i] < 0 || t[i] >= outputs || t[i] != Math.rint(t[i])) {
                    throw new ConfigException(key, data.origin() + ": label " + labelText(data, t[i]) + " of sample " + (i + 1)
                            + " is out of range for a model with " + outputs + " outputs (classes 0.." + (outputs - 1) + ")");
                }
            }
        } else if (data.targetWidth() != outputs) {
            throw new ConfigException(key, data.origin() + " has " + data.targetWidth() + " target value(s) per sample but"
                    + " the model has " + outputs + " outputs (loss " + exp.loss() + " compares them one to one)");
        }
    }

    private static String labelText(Dataset data, float label) {
        int i = (int) label;
        if (i == label && i >= 0 && i < data.classNames().size()) {
            return "'" + data.classNames().get(i) + "' (class " + i + ")";
        }
        return i == label ? Integer.toString(i) : Float.toString(label);
    }
}
