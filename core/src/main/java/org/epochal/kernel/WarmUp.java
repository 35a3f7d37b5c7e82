package org.epochal.kernel;

/**
 * Runs Vector API loops until C2 has compiled them. Before that they run through the Vector API's Java
 * fallback (interpreted, then C1-compiled with every vector boxed), a hundred times slower than compiled
 * code, and C2 compiles a loop only after enough calls: later still while its queue is long. A fixed count
 * of calls guessed that, and lost: after 3,000 calls Adam, the pooling loops and the diagnostics' passes
 * were still C1 code, and epoch 1 ran them so (Adam 830 µs a batch of 64 instead of 100). Timing the calls
 * tells instead. Run with {@code -Depochal.warmup.debug=true} to see each loop's ns a call, round by round.
 */
final class WarmUp {
    private WarmUp() {
    }

    /** The i-th warm-up call of one loop (arguments vary with i as training's do: offsets, lengths, flags). */
    @FunctionalInterface
    interface Call {
        void call(int i);
    }

    /**
     * A loop to warm up and the time a call takes once C2 has compiled it, with room to spare: measured
     * here, compiled calls took 3-8 times less than the bounds given and C1-compiled ones 3-20 times more.
     */
    record Loop(long fastNanos, Call call) {
    }

    /** Calls per loop and round, timed together. */
    static final int CALLS = 50;
    /** Rounds before any loop counts as compiled: profiles of every argument pattern first. */
    static final int MIN_ROUNDS = 20;
    /** A give-up bound for a loop C2 never compiles (a stalled compiler): it then stays as it is. */
    private static final long MAX_NANOS = 10_000_000_000L;
    /**
     * Gives up sooner when most loops never got fast: a JVM without C2 (-XX:TieredStopAtLevel=1, -Xint; a
     * one-vector copy is fast even there). Here half of them were compiled after about 1 s.
     */
    private static final long NO_C2_NANOS = 3_000_000_000L;

    static int untilCompiled(Loop... loops) {
        return untilCompiled(MAX_NANOS, NO_C2_NANOS, loops);
    }

    /**
     * Calls every loop, round after round, until each one's last two rounds averaged under its bound a call
     * and at least {@link #MIN_ROUNDS} rounds have run; or until {@code maxNanos} have passed, or
     * {@code fewFastNanos} with fewer than half of the loops ever under their bound. Returns the rounds run.
     */
    static int untilCompiled(long maxNanos, long fewFastNanos, Loop... loops) {
        boolean debug = Boolean.getBoolean("epochal.warmup.debug");
        int[] fastRounds = new int[loops.length];
        long start = System.nanoTime();
        boolean[] everFast = new boolean[loops.length];
        int fast = 0;
        int i = 0;
        for (int round = 1; ; round++) {
            boolean all = true;
            StringBuilder line = debug ? new StringBuilder("warm-up round " + round + ", ns a call:") : null;
            for (int c = 0; c < loops.length; c++) {
                Call call = loops[c].call();
                long t0 = System.nanoTime();
                for (int j = 0; j < CALLS; j++) {
                    call.call(i + j);
                }
                long perCall = (System.nanoTime() - t0) / CALLS;
                fastRounds[c] = perCall < loops[c].fastNanos() ? fastRounds[c] + 1 : 0;
                all &= fastRounds[c] >= 2;
                if (fastRounds[c] > 0 && !everFast[c]) {
                    everFast[c] = true;
                    fast++;
                }
                if (debug) {
                    line.append(' ').append(perCall);
                }
            }
            i += CALLS;
            if (debug) {
                System.err.println(line);
            }
            long elapsed = System.nanoTime() - start;
            if (all && round >= MIN_ROUNDS || elapsed > maxNanos || 2 * fast < loops.length && elapsed > fewFastNanos) {
                return round;
            }
        }
    }
}
