package org.epochal.kernel;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Who runs each task of a {@link Parallel} pinned call: the thread it is pinned to, or the caller when that
 * thread has not claimed it in time (it is descheduled). One slot per task, up to max(threads, 8) tasks, 128
 * bytes apart (no two threads' claims share a cache line): generation << 1 when the call opens, | 1 once
 * claimed, so each task runs once, on whichever thread claims it.
 */
final class PinnedClaims {
    private static final int STRIDE = 16;
    private final AtomicLongArray slots;

    PinnedClaims(int threads) {
        slots = new AtomicLongArray(Math.max(threads, 8) * STRIDE);
    }

    /** Whether a call of n tasks has a slot for each (else its tasks run unclaimed on their own threads). */
    boolean covers(int n) {
        return n * STRIDE <= slots.length();
    }

    /** Marks tasks [0, n) of call gen unclaimed (before the call is published). */
    void open(int gen, int n) {
        for (int i = 0; i < n; i++) {
            slots.set(i * STRIDE, (long) gen << 1);
        }
    }

    /** Claims task i of call gen for the calling thread; false if another thread has. */
    boolean claim(int gen, int i) {
        long unclaimed = (long) gen << 1;
        return slots.compareAndSet(i * STRIDE, unclaimed, unclaimed | 1);
    }

    /**
     * Waits while task i of call gen is unclaimed, until {@code nanos} past {@code since}; true if it then
     * claimed the task for the caller, false if its thread claimed it.
     */
    boolean claimLate(int gen, int i, long since, long nanos) {
        long unclaimed = (long) gen << 1;
        while (slots.get(i * STRIDE) == unclaimed) {
            if (System.nanoTime() - since > nanos) {
                return claim(gen, i);
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
