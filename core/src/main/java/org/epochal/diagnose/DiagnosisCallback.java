package org.epochal.diagnose;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.epochal.train.Callback;
import org.epochal.train.Events;
import org.epochal.train.Trainer;

/**
 * Diagnoses the run after every epoch from what is in its folder so far, prints each new finding of
 * severity warning or error at the end of the epoch it arose in, and writes diagnosis.json at the end.
 */
public final class DiagnosisCallback implements Callback {
    private final Path runDir;
    private final Diagnoser diagnoser;
    private final PrintStream out;
    private final Set<String> printed = new HashSet<>();
    /** The folder read as it grows: each epoch parses only its own rows (made at the first epoch's end). */
    private Evidence.Follower evidence;

    /** {@code out} null: print nothing. */
    public DiagnosisCallback(Path runDir, Diagnoser diagnoser, PrintStream out) {
        this.runDir = runDir;
        this.diagnoser = diagnoser;
        this.out = out;
    }

    @Override
    public void epochEnd(Events.EpochEnd e, Trainer.Control control) {
        if (evidence == null) {
            evidence = new Evidence.Follower(runDir);
        }
        report(diagnoser.diagnose(evidence.read()));
    }

    @Override
    public void runEnd(Events.RunEnd e, Trainer.Control control) {
        try {
            report(diagnoser.diagnose(runDir));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void report(List<Finding> findings) {
        for (Finding f : findings) {
            if (f.isWarningOrError() && printed.add(f.id() + "/" + f.firstCause()) && out != null) {
                out.println("  " + f.summaryLine());
            }
        }
    }
}
