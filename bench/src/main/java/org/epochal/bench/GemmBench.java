package org.epochal.bench;

import java.util.concurrent.TimeUnit;
import org.epochal.kernel.Gemm;
import org.epochal.kernel.GemmReference;
import org.epochal.kernel.Parallel;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Gemm} (fast, 1 and 2 threads) beside {@link GemmReference} (the scalar twin) on the shapes the
 * models use: shape = m×n×k:TT with N or T for op(A), op(B). The secondary result {@code gflops} is
 * 2·m·n·k per call over time, in GFLOP/s.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class GemmBench {
    @State(Scope.Thread)
    public static class Problem {
        @Param({
                "64x256x784:NT",     // MLP forward, x·W1ᵀ at batch 64
                "256x784x64:TN",     // MLP backward, dW1 += dyᵀ·x
                "64x784x256:NN",     // MLP backward shape dy·W (batch 64, 256 → 784)
                "7744x64x288:NT",    // CNN conv2 forward, im2col·Wᵀ at batch 64
                "1024x1024x1024:NN"})
        public String shape;

        @Param({"1", "2"})
        public int threads;

        int m;
        int n;
        int k;
        boolean transA;
        boolean transB;
        float[] a;
        float[] b;
        float[] c;
        Parallel parallel;

        @Setup
        public void setUp() {
            String[] parts = shape.split("[x:]");
            m = Integer.parseInt(parts[0]);
            n = Integer.parseInt(parts[1]);
            k = Integer.parseInt(parts[2]);
            transA = parts[3].charAt(0) == 'T';
            transB = parts[3].charAt(1) == 'T';
            a = random(m * k, 1);
            b = random(k * n, 2);
            c = new float[m * n];
            parallel = new Parallel(threads);
        }

        @TearDown
        public void tearDown() {
            parallel.close();
        }

        double gflop() {
            return 2.0 * m * n * k / 1e9;
        }
    }

    /** GFLOP/s as a rate: JMH divides the count by the time in the output unit (seconds). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }
    }

    @Benchmark
    public float[] fast(Problem p, Flops f) {
        Gemm.gemm(p.parallel, p.transA, p.transB, p.m, p.n, p.k, p.a, 0, p.transA ? p.m : p.k,
                p.b, 0, p.transB ? p.k : p.n, false, p.c, 0, p.n);
        f.gflops += p.gflop();
        return p.c;
    }

    static float[] random(int size, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() - 0.5);
        }
        return x;
    }
}
