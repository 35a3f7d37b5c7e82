package org.epochal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.epochal.diagnose.Diagnoser;
import org.epochal.diagnose.Finding;
import org.epochal.run.Run;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `epochal diagnose RUN_DIR`: analyses a run (finished, stopped or crashed) from its folder, prints the
 * findings with their explanation and suggestions, and writes diagnosis.json and report.html.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true, description = "Analyse a run and explain it.")
final class DiagnoseCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        RunFolders.check(runDir);
        List<Finding> findings = Diagnoser.standard().diagnose(runDir);
        if (findings.isEmpty()) {
            System.out.println("No findings: nothing unusual was measured.");
        }
        for (Finding f : findings) {
            System.out.println(f.summaryLine());
            System.out.println("  " + f.explanation());
            for (Finding.Cause c : f.causes()) {
                System.out.printf(java.util.Locale.ROOT, "  cause %s (%.2f): %s%n", c.cause(), c.confidence(),
                        org.epochal.io.Json.write(c.evidence()));
            }
            for (String s : f.suggestions()) {
                System.out.println("  try: " + s);
            }
        }
        Run.writeReport(runDir, runDir.getFileName().toString());
        System.out.println("Wrote " + runDir.resolve("diagnosis.json") + " and " + runDir.resolve("report.html"));
        return 0;
    }
}
