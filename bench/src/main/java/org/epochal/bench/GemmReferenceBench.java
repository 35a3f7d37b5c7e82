package org.epochal.bench;

import java.util.concurrent.TimeUnit;
import org.epochal.kernel.GemmReference;
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

/** The naive scalar twin on {@link GemmBench}'s shapes (one thread: it has no threads). */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class GemmReferenceBench {
    @State(Scope.Thread)
    public static class Problem {
        @Param({"64x256x784:NT", "256x784x64:TN", "64x784x256:NN", "7744x64x288:NT", "1024x1024x1024:NN"})
        public String shape;

        int m;
        int n;
        int k;
        boolean transA;
        boolean transB;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setUp() {
            String[] parts = shape.split("[x:]");
            m = Integer.parseInt(parts[0]);
            n = Integer.parseInt(parts[1]);
            k = Integer.parseInt(parts[2]);
            transA = parts[3].charAt(0) == 'T';
            transB = parts[3].charAt(1) == 'T';
            a = GemmBench.random(m * k, 1);
            b = GemmBench.random(k * n, 2);
            c = new float[m * n];
        }
    }

    @Benchmark
    public float[] reference(Problem p, GemmBench.Flops f) {
        GemmReference.gemm(p.transA, p.transB, p.m, p.n, p.k, p.a, 0, p.transA ? p.m : p.k,
                p.b, 0, p.transB ? p.k : p.n, false, p.c, 0, p.n);
        f.gflops += 2.0 * p.m * p.n * p.k / 1e9;
        return p.c;
    }
}
