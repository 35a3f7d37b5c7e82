package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epochal.diagnose.Diagnoser;
import org.epochal.diagnose.Finding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The phenomena of the seed articles, each reproduced by an experiment in examples/scenarios/ and
 * diagnosed: every scenario must yield its expected finding with its expected first cause, and every
 * healthy run no finding of severity warning or error (expected.csv lists them). Prints precision and recall.
 */
class ScenarioSuiteTest {
    @TempDir
    Path tmp;

    record Outcome(String file, String expected, String got, boolean ok) {
    }

    @Test
    void everyScenarioIsDiagnosedAndEveryHealthyRunIsClean() throws IOException {
        Path dir = TrainCommandTest.example("scenarios");
        List<String> lines = Files.readAllLines(dir.resolve("expected.csv"));
        List<Outcome> outcomes = new ArrayList<>();
        int truePositives = 0;
        int falseNegatives = 0;
        int falsePositives = 0;
        int healthy = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            Path run = tmp.resolve(f[0].replace(".yaml", ""));
            Cli.Result r = Cli.run("train", dir.resolve(f[0]).toString(), "--out", run.toString(), "--quiet",
                    "--threads", "2");
            assertTrue(r.exit() == 0 || r.exit() == 3, f[0] + ": " + r);
            List<Finding> findings = Diagnoser.read(run);
            List<String> got = new ArrayList<>();
            findings.forEach(x -> got.add(x.id() + "/" + x.severity() + "/" + x.firstCause()));
            if (f[1].equals("healthy")) {
                healthy++;
                boolean clean = findings.stream().noneMatch(Finding::isWarningOrError);
                falsePositives += clean ? 0 : 1;
                outcomes.add(new Outcome(f[0], "no warning", String.join("; ", got), clean));
            } else {
                String cause = f[2].isEmpty() ? null : f[2];
                boolean found = findings.stream().anyMatch(x -> x.id().equals(f[1])
                        && (cause == null || cause.equals(x.firstCause())));
                boolean wrongCause = !found && findings.stream().anyMatch(x -> x.id().equals(f[1]));
                truePositives += found ? 1 : 0;
                falseNegatives += found ? 0 : 1;
                falsePositives += wrongCause ? 1 : 0;
                outcomes.add(new Outcome(f[0], f[1] + "/" + cause, String.join("; ", got), found));
            }
        }
        double precision = truePositives / (double) Math.max(1, truePositives + falsePositives);
        double recall = truePositives / (double) Math.max(1, truePositives + falseNegatives);
        StringBuilder table = new StringBuilder();
        outcomes.forEach(o -> table.append(o.ok ? "ok   " : "FAIL ").append(o.file).append(" expected ")
                .append(o.expected).append(" got ").append(o.got).append('\n'));
        table.append(String.format(Locale.ROOT, "scenarios %d, healthy %d: precision %.2f, recall %.2f%n",
                truePositives + falseNegatives, healthy, precision, recall));
        System.out.print(table);
        assertTrue(truePositives + falseNegatives >= 20 && healthy >= 6, "suite size");
        assertEquals(1.0, recall, table.toString());
        assertEquals(1.0, precision, table.toString());
    }
}
