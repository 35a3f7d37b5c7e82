package org.epochal.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;

/**
 * The one entry point that turns a {@link SourceSpec} (an experiment file's `train`, `validation`, `test`
 * or `add` entry) into an in-memory {@link Dataset}. Each format lives in its own class.
 *
 * <p>Features come back raw (IDX pixels 0..255, CSV numbers as written): {@link Normalization} is fitted
 * and applied separately, on the training data only. Every problem with the user's data is an
 * {@link org.epochal.BadInputException} whose message starts with the file (and line, for CSV).
 */
public final class DataSources {
    private DataSources() {
    }

    /**
     * Loads a data set. {@code kind} says how labels are read: class indices (IDX labels, integer or
     * string CSV labels, blobs) or float values (one per CSV label column; IDX labels and blob classes as
     * numbers; regression targets).
     */
    public static Dataset load(SourceSpec spec, TargetKind kind) {
        return switch (spec) {
            case SourceSpec.Idx idx -> IdxReader.load(idx);
            case SourceSpec.Csv csv -> CsvReader.load(csv, kind);
            case SourceSpec.Builtin builtin -> Builtins.load(builtin, kind);
            case SourceSpec.Synthetic synthetic -> Synthetic.load(synthetic, kind);
            case SourceSpec.Limited limited -> first(load(limited.source(), kind), limited.limit());
        };
    }

    /**
     * {@code data} with its class indices renumbered to {@code classNames} (the training set's), because
     * string labels are numbered per file: a test file without "dog" would otherwise number "emu" 1, not 2.
     * Integer labels count as their decimal text. A label the training data lacks is an error.
     */
    public static Dataset alignClasses(Dataset data, List<String> classNames) {
        if (data.targetWidth() != 1) {
            throw new IllegalArgumentException(data.origin() + ": class alignment needs one class index per sample");
        }
        if (data.classNames().equals(classNames) || (data.classNames().isEmpty() && classNames.isEmpty())) {
            return data;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            index.put(classNames.get(i), i);
        }
        float[] targets = data.targets().clone();
        for (int i = 0; i < targets.length; i++) {
            int label = (int) targets[i];
            String name = data.classNames().isEmpty() ? Integer.toString(label) : data.classNames().get(label);
            Integer aligned = classNames.isEmpty() ? integer(name) : index.get(name);
            if (aligned == null) {
                throw new BadInputException(data.origin() + ": class '" + name + "' does not occur in the training"
                        + " data (classes: " + (classNames.isEmpty() ? "integers" : String.join(", ", classNames)) + ")");
            }
            targets[i] = aligned;
        }
        return new Dataset(data.features(), data.sampleShape(), targets, 1, classNames, data.origin());
    }

    private static Integer integer(String name) {
        return !name.isEmpty() && name.length() <= 8 && name.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                ? Integer.valueOf(name) : null;
    }

    private static Dataset first(Dataset data, int limit) {
        if (limit >= data.size()) {
            return data;
        }
        int[] indices = new int[limit];
        for (int i = 0; i < limit; i++) {
            indices[i] = i;
        }
        return data.subset(indices);
    }
}
