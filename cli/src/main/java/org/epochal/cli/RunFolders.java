package org.epochal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.epochal.BadInputException;

/** Checks that a path given as RUN_DIR is a run folder. */
final class RunFolders {
    private RunFolders() {
    }

    static void check(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            throw new BadInputException(runDir + ": no such run folder");
        }
        if (!Files.exists(runDir.resolve("batches.csv")) && !Files.exists(runDir.resolve("config.yaml"))) {
            throw new BadInputException(runDir + ": not a run folder (no config.yaml or batches.csv)");
        }
    }
}
