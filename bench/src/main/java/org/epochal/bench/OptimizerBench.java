package org.epochal.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.epochal.layer.Parameter;
import org.epochal.optim.Adam;
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
 * One Adam step of a Linear layer's weight at batch 1: from the written gradient (what a GEMM of depth one
 * stores) and from the gradient held as an outer product (Parameter.deferOuterGrad), computed where used.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class OptimizerBench {
    @State(Scope.Thread)
    public static class Weight {
        /** [in, out] of the stored weight: the Fashion-MNIST MLP's first and second layers. */
        @Param({"784x256", "256x128"})
        public String shape;

        @Param({"1", "2"})
        public int threads;

        Parameter weight;
        org.epochal.kernel.Parallel parallel;
        Adam adam;
        float[] left;
        float[] right;

        @Setup
        public void setUp() {
            String[] d = shape.split("x");
            int in = Integer.parseInt(d[0]);
            int out = Integer.parseInt(d[1]);
            weight = Parameter.transposed("weight", out, in);
            System.arraycopy(GemmBench.random(in * out, 1), 0, weight.data(), 0, in * out);
            left = GemmBench.random(in, 2);
            right = GemmBench.random(out, 3);
            weight.zeroGrad();
            weight.deferOuterGrad(left, 0, right, 0);
            weight.grad(); // written out, for written(); deferred() defers it again each call
            adam = Adam.adam(List.of(weight), 1e-3);
            parallel = new org.epochal.kernel.Parallel(threads);
            adam.setParallel(parallel, org.epochal.optim.Optimizer.Split.CHUNKS);
        }
    }

    /** The gradient written (by the setup, as a GEMM of depth one stores it): the step reads it. */
    @Benchmark
    public float[] written(Weight w) {
        w.adam.step();
        return w.weight.data();
    }

    @Benchmark
    public float[] deferred(Weight w) {
        w.weight.zeroGrad();
        w.weight.deferOuterGrad(w.left, 0, w.right, 0);
        w.adam.step();
        return w.weight.data();
    }
}
