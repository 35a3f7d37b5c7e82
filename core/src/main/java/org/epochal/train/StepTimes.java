package org.epochal.train;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a training step's time goes, for performance work: with {@code -Depochal.stepTimes=true}
 * (EPOCHAL_JAVA_OPTS) the trainer marks each phase of every step of the last epoch, and prints the mean,
 * median, 90th and 99th percentile of each to standard error when the run ends. Off, a mark is one branch.
 * Timed in the run itself, so phases that move data between cores show what they cost in training, which
 * a benchmark of one kernel cannot.
 */
final class StepTimes {
    static final boolean ENABLED = Boolean.getBoolean("epochal.stepTimes");

    /** The phases, in step order; each mark ends the phase of its index. */
    static final String[] PHASES = {"batch", "forward", "loss", "backward", "norm", "update", "callbacks"};

    private final long[][] nanos;
    private int steps;
    private long last;
    private boolean recording;

    StepTimes(int maxSteps) {
        nanos = ENABLED ? new long[PHASES.length][Math.max(1, maxSteps)] : null;
    }

    /** Starts a step; recorded only when {@code record} (the last epoch's steps). */
    void start(boolean record, org.epochal.layer.Sequential model) {
        if (ENABLED && record && steps == 0 && !recording) {
            model.timeLayers(true);
        }
        recording = ENABLED && record && steps < nanos[0].length;
        if (recording) {
            last = System.nanoTime();
        }
    }

    /** Ends phase {@code phase} of the current step (phases not marked in a step count zero). */
    void mark(int phase) {
        if (recording) {
            long now = System.nanoTime();
            nanos[phase][steps] += now - last;
            last = now;
        }
    }

    void end() {
        if (recording) {
            steps++;
            recording = false;
        }
    }

    void print(PrintStream out, org.epochal.layer.Sequential model) {
        if (!ENABLED || steps == 0) {
            return;
        }
        out.println("layer times, µs forward/backward (a ReLU before max pooling: in the pooling's backward):"
                + model.layerTimes(steps));
        StringBuilder line = new StringBuilder("step times, µs (mean / median / p90 / p99) over " + steps + " steps:");
        double total = 0;
        for (int p = 0; p < PHASES.length; p++) {
            long[] sorted = Arrays.copyOf(nanos[p], steps);
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(0) / 1e3;
            total += mean;
            line.append(String.format(Locale.ROOT, " %s %.1f/%.1f/%.1f/%.1f", PHASES[p], mean,
                    sorted[steps / 2] / 1e3, sorted[steps * 9 / 10] / 1e3, sorted[steps * 99 / 100] / 1e3));
        }
        out.println(line.append(String.format(Locale.ROOT, "; step %.1f", total)));
    }
}
