package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmUpTest {
    /** Busy for {@code nanos}: a call through the fallback. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void stopsAfterTheMinimumRoundsWhenEveryLoopIsFast() {
        int[] calls = new int[1];
        int rounds = WarmUp.untilCompiled(new WarmUp.Loop(1_000_000, i -> calls[0]++));
        // a round is slow only if the machine stalls for 50 ms in it
        assertTrue(rounds >= WarmUp.MIN_ROUNDS && rounds <= WarmUp.MIN_ROUNDS + 2, rounds + " rounds");
        assertEquals(rounds * WarmUp.CALLS, calls[0]);
    }

    @Test
    void goesOnWhileOneLoopIsSlowAndUntilItWasFastTwice() {
        int slowCalls = 40 * WarmUp.CALLS;
        int rounds = WarmUp.untilCompiled(
                new WarmUp.Loop(1_000_000, i -> { }),
                new WarmUp.Loop(100_000, i -> spin(i < slowCalls ? 200_000 : 0)));
        // 40 slow rounds, then two fast ones (one more if the machine stalls for 5 ms in one of them)
        assertTrue(rounds >= 42 && rounds <= 44, rounds + " rounds");
    }

    @Test
    void givesUpAtItsDeadlineWhenOneLoopStaysSlow() {
        long t0 = System.nanoTime();
        int rounds = WarmUp.untilCompiled(300_000_000L, 100_000_000L, new WarmUp.Loop(1_000_000, i -> { }),
                new WarmUp.Loop(1_000, i -> spin(20_000)));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(rounds >= 1 && tookMillis >= 300 && tookMillis < 3_000, rounds + " rounds, " + tookMillis + " ms");
    }

    @Test
    void givesUpSoonerWhenMostLoopsNeverGetFast() {
        long t0 = System.nanoTime();
        WarmUp.untilCompiled(10_000_000_000L, 100_000_000L, new WarmUp.Loop(1_000_000, i -> { }),
                new WarmUp.Loop(1_000, i -> spin(20_000)), new WarmUp.Loop(1_000, i -> spin(20_000)));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMillis >= 100 && tookMillis < 3_000, tookMillis + " ms");
    }
}
