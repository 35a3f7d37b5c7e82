package org.epochal.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epochal.run.Run;
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
        Run.writeReport(runDir, runDir.getFileName().toString());
        System.out.println("Wrote " + runDir.resolve("report.html"));
        return 0;
    }
}
