package org.epochal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** How {@link Parallel}'s threads wait (the caller for a call's tasks, a worker for the next call), and how failures pass on. */
final class Waits {
    private Waits() {
    }

    /** Spins until the count is zero (yielding the core after a while: a long wait is a descheduled thread's). */
    static void awaitZero(AtomicInteger count) {
        for (int spins = 1; count.get() > 0; spins++) {
            if (spins < 20_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * A worker between calls: spins until the generation in the high half of {@code state} is no longer
     * {@code seen} (true) or {@code nanos} have passed (false: the worker then parks). Kernels come back to
     * back, and waking a parked thread takes tens of µs. Every 64 spins it offers the vCPU to other threads:
     * the JIT's compilers then run in a step's gaps, not amid this worker's share (docs/performance-log.md).
     */
    static boolean spinForNextCall(AtomicLong state, int seen, long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (int spin = 1; ; spin++) {
            Thread.onSpinWait();
            if ((int) (state.get() >>> 32) != seen) {
                return true;
            }
            if ((spin & 63) == 0) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.yield();
            }
        }
    }

    /** Throws f (a task's failure, caught on its thread) on the caller's; nothing when it is null. */
    static void rethrow(Throwable f) {
        if (f == null) {
            return;
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        throw new RuntimeException(f);
    }
}
