package org.epochal.bench;

import java.util.concurrent.TimeUnit;
import org.epochal.kernel.Dots;
import org.epochal.kernel.Gemm;
import org.epochal.kernel.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * C = A·Bᵀ with few outputs and a long k, A and B read along their rows (a first convolution's weight
 * gradient), or one row of A (a batch of one's input gradient): {@link Dots} beside its element-by-element
 * order and beside {@link Gemm} on the same product.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class DotsBench {
    @State(Scope.Thread)
    public static class Problem {
        /**
         * m×n×k: conv1's weight gradient at batch 64 (32 filters, 9 taps, 64·26·26 positions), and a half;
         * a batch of one's input gradient through the MLP's second layer (dy[128]·W2ᵀ, W2 stored [256, 128]).
         */
        @Param({"32x9x43264", "32x9x21632", "16x16x4096", "1x256x128"})
        public String shape;

        int m;
        int n;
        int k;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setUp() {
            String[] parts = shape.split("x");
            m = Integer.parseInt(parts[0]);
            n = Integer.parseInt(parts[1]);
            k = Integer.parseInt(parts[2]);
            a = GemmBench.random(m * k, 1);
            b = GemmBench.random(n * k, 2);
            c = new float[m * n];
        }
    }

    @Benchmark
    public float[] dots(Problem p, GemmBench.Flops f) {
        Dots.rows(p.m, p.n, p.k, p.a, 0, p.k, p.b, 0, p.k, false, p.c, 0, p.n);
        f.gflops += 2.0 * p.m * p.n * p.k / 1e9;
        return p.c;
    }

    @Benchmark
    public float[] reference(Problem p, GemmBench.Flops f) {
        Dots.reference(p.m, p.n, p.k, p.a, 0, p.k, p.b, 0, p.k, false, p.c, 0, p.n);
        f.gflops += 2.0 * p.m * p.n * p.k / 1e9;
        return p.c;
    }

    /** The same product through the GEMM, one thread (as the first convolution ran it before). */
    @Benchmark
    public float[] gemm(Problem p, GemmBench.Flops f) {
        Gemm.gemm(Parallel.SEQUENTIAL, false, true, p.m, p.n, p.k, p.a, 0, p.k, p.b, 0, p.k, false, p.c, 0, p.n);
        f.gflops += 2.0 * p.m * p.n * p.k / 1e9;
        return p.c;
    }
}
