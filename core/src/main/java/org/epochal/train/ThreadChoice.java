package org.epochal.train;

import java.util.Arrays;

/**
 * Which of two settings, all threads or one, the next training step runs on, chosen by timing both in the
 * run itself: every {@code every} steps the last {@code window} steps' median is set against that of
 * {@code window} steps on the other setting, and the other is kept if it was faster by enough (20% to leave
 * all threads, 5% to return to them). Results are the same bits on any thread count, so switching changes
 * only the time. The trainer consults it from the second epoch on: in the first, the JIT's compiles slow
 * the threads unevenly.
 *
 * <p>Why: on the 2-vCPU hosts measured, two threads ran the Fashion-MNIST MLP at batch 64 at 1.2–1.3 times
 * one thread's speed in some processes and at half of it in others, for whole epochs (the host's placement
 * of the vCPUs, the JIT's compiler threads); a batch of one now and then ran slower on two. The first
 * comparison comes after {@code 2·window} steps, then one every {@code every} steps (a probe on the slower
 * setting costs window/every, 2%, of the difference between the two settings' steps).
 */
class ThreadChoice {
    static final int WINDOW = 8;
    static final int EVERY = 384;
    /**
     * One thread is kept when its median step is below this fraction of all threads' (a probe on a host
     * that is slow for a moment should not give up the threads), all threads when below 0.95 of one's.
     */
    static final double ONE_GAIN = 0.8;
    static final double ALL_GAIN = 0.95;

    private final int window;
    private final int every;
    private final long[] current;
    private final long[] probe;
    private final long[] sorted;
    private boolean all = true;
    /** Steps since the last comparison, offset so that the first comes after 2·window steps. */
    private int at;
    private int switches;

    ThreadChoice() {
        this(WINDOW, EVERY);
    }

    ThreadChoice(int window, int every) {
        if (window < 1 || every < 2 * window) {
            throw new IllegalArgumentException("window " + window + ", every " + every);
        }
        this.window = window;
        this.every = every;
        this.current = new long[window];
        this.probe = new long[window];
        this.sorted = new long[window];
        this.at = every - 2 * window;
    }

    /** Whether the next step runs on all threads. */
    boolean allThreads() {
        return probing() != all;
    }

    /** A step of {@code nanos} has run on {@link #allThreads()}'s setting. */
    void stepTook(long nanos) {
        if (probing()) {
            probe[at - every] = nanos;
        } else if (at >= every - window) {
            current[at - (every - window)] = nanos;
        }
        at++;
        if (at == every + window) {
            if (median(probe) < (all ? ONE_GAIN : ALL_GAIN) * median(current)) {
                all = !all;
                switches++;
            }
            at = 0;
        }
    }

    /** Times the setting changed (for tests). */
    int switches() {
        return switches;
    }

    private boolean probing() {
        return at >= every;
    }

    private long median(long[] times) {
        System.arraycopy(times, 0, sorted, 0, window);
        Arrays.sort(sorted);
        return sorted[window / 2];
    }
}
