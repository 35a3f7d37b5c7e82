package org.epochal.config;

import org.epochal.BadInputException;

/**
 * A problem with one key of an experiment: {@link #path()} is its dotted path ("optimizer.lr",
 * "model.layers.2.p"), so the command line can add the file and line.
 */
public final class ConfigException extends BadInputException {
    private final String path;
    private final String problem;

    public ConfigException(String path, String problem) {
        super(path.isEmpty() ? problem : "key '" + path + "': " + problem);
        this.path = path;
        this.problem = problem;
    }

    public String path() {
        return path;
    }

    /** The message without the key. */
    public String problem() {
        return problem;
    }

    /** The same problem one level deeper: prefix "data" to "batch_size" gives "data.batch_size". */
    public ConfigException under(String prefix) {
        return new ConfigException(path.isEmpty() ? prefix : prefix + "." + path, problem);
    }
}
