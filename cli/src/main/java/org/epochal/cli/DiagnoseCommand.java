package org.epochal.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epochal.run.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `epochal diagnose RUN_DIR`: analyses a run (finished, stopped or crashed), prints findings, writes files. */
@Command(name = "diagnose", mixinStandardHelpOptions = true, description = "Analyse a run and explain it.")
final class DiagnoseCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        RunFolders.check(runDir);
        String findings = java.nio.file.Files.exists(runDir.resolve("diagnosis.json"))
                ? java.nio.file.Files.readString(runDir.resolve("diagnosis.json")) : "{\"findings\": []}";
        System.out.println(findings.trim());
        new ReportWriter(runDir, runDir.getFileName().toString()).write();
        return 0;
    }
}
