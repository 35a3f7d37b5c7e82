package org.epochal.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.epochal.kernel.AdamUpdate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The second-moment decays that Adam's idle rows owe at batch 1 (AdamUpdate#settleRows): 16 rows of 784
 * (a tenth of the first layer's units firing again), each owing {@code owed} decays, against the plain loop
 * with the same float operations in the same order.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class OwedDecaysBench {
    private static final int ROWS = 16;
    private static final int COLS = 784;
    private static final float BETA2 = 0.999f;

    @State(Scope.Thread)
    public static class Moments {
        @Param({"10", "100"})
        public int owed;

        float[] start;
        float[] v;
        int[] rows;

        @Setup
        public void setUp() {
            start = GemmBench.random(ROWS * COLS, 4);
            for (int i = 0; i < start.length; i++) {
                start[i] = Math.abs(start[i]) * 1e-4f; // second moments: small, not negative
            }
            v = start.clone();
            rows = new int[ROWS];
        }

        /** The same moments and debts before every call (the decays would otherwise shrink them to zero). */
        @Setup(Level.Invocation)
        public void reset() {
            System.arraycopy(start, 0, v, 0, v.length);
            Arrays.fill(rows, owed);
        }
    }

    @Benchmark
    public float[] vectors(Moments s) {
        AdamUpdate.settleRows(s.v, COLS, 0, ROWS, BETA2, s.rows);
        return s.v;
    }

    @Benchmark
    public float[] plain(Moments s) {
        float[] v = s.v;
        for (int i = 0; i < v.length; i++) {
            for (int t = 0; t < s.owed && v[i] != 0f; t++) {
                float d = v[i] * BETA2;
                v[i] = d < Float.MIN_NORMAL ? 0f : d;
            }
        }
        return v;
    }
}
