package org.epochal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epochal.BadInputException;
import org.epochal.run.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `epochal report RUN_DIR`: rewrites report.html from the run folder's files. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Rewrite report.html of a run folder.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        RunFolders.check(runDir);
        new ReportWriter(runDir, runDir.getFileName().toString()).write();
        System.out.println("Wrote " + runDir.resolve("report.html"));
        return 0;
    }
}
