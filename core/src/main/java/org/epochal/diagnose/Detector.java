package org.epochal.diagnose;

import java.util.List;

/**
 * Looks at the evidence of a run (finished, stopped, crashed, or still training: it is called after every
 * epoch with the evidence so far) and returns its findings. A detector must be a pure function of the
 * evidence, so that `epochal diagnose` after the fact says what the live run said. To add one: implement
 * this, add it to {@link Diagnoser#standard()} (or pass it to {@code Run.Options.withDetectors} from Java).
 */
@FunctionalInterface
public interface Detector {
    List<Finding> detect(Evidence evidence);
}
