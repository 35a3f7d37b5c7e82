package org.epochal.bench;

import java.util.concurrent.TimeUnit;
import org.epochal.kernel.BlockSums;
import org.epochal.kernel.AdamUpdate;
import org.epochal.kernel.Elementwise;
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
 * {@link Elementwise}'s loops beside their plain forms: the Adam update (and its element-by-element twin),
 * the fixed-order sum of squares (and a plain double loop, what it replaced), the ReLU derivative's
 * select (and the branch per element).
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class ElementwiseBench {
    @State(Scope.Thread)
    public static class Arrays {
        /** Elements: a small layer, the MLP's 235,146 parameters, a batch of 512 images, a CNN activation of 64·32·26·26. */
        @Param({"1000", "235146", "401408", "1384448"})
        public int size;

        float[] p;
        float[] g;
        float[] m;
        float[] v;
        float[] out;
        float[] left;
        float[] right;
        /** Adam's constants at step 10, lr 1e-3, PyTorch's defaults (indices: AdamUpdate.BETA1 .. INV_BC2_SQRT). */
        final float[] adam = new float[AdamUpdate.FACTORS];
        /** Per-feature sums of a batch of 784-feature rows (inputSums). */
        final double[] sums = new double[784];
        final double[] squares = new double[784];

        @Setup
        public void setUp() {
            p = GemmBench.random(size, 1);
            g = GemmBench.random(size, 2);
            m = GemmBench.random(size, 3);
            v = GemmBench.random(size, 4);
            for (int i = 0; i < size; i++) {
                v[i] = v[i] * v[i];
            }
            out = new float[size];
            left = GemmBench.random(size / 128, 5);
            right = GemmBench.random(128, 6);
            adam[AdamUpdate.BETA1] = 0.9f;
            adam[AdamUpdate.BETA2] = 0.999f;
            adam[AdamUpdate.ONE_MINUS_BETA1] = (float) (1 - 0.9);
            adam[AdamUpdate.ONE_MINUS_BETA2] = (float) (1 - 0.999);
            adam[AdamUpdate.EPS] = 1e-8f;
            adam[AdamUpdate.WEIGHT_DECAY] = 0f;
            adam[AdamUpdate.DECAY] = 1f;
            adam[AdamUpdate.STEP_SIZE] = (float) (1e-3 / (1 - Math.pow(0.9, 10)));
            adam[AdamUpdate.INV_BC2_SQRT] = (float) (1 / Math.sqrt(1 - Math.pow(0.999, 10)));
            adam[AdamUpdate.GRAD_SCALE] = 1f;
        }
    }

    @Benchmark
    public float[] adam(Arrays a) {
        AdamUpdate.adam(a.p, a.g, a.m, a.v, 0, a.size, a.adam);
        return a.p;
    }

    /** Adam from a gradient held as an outer product (rows of 128 columns): each element's g computed in the loop. */
    @Benchmark
    public float[] adamOuter(Arrays a) {
        AdamUpdate.adamOuter(a.p, a.left, a.right, a.m, a.v, 0, a.size / 128 * 128, a.adam);
        return a.p;
    }

    @Benchmark
    public float[] adamScalar(Arrays a) {
        AdamUpdate.adamScalar(a.p, a.g, a.m, a.v, 0, a.size, a.adam);
        return a.p;
    }

    @Benchmark
    public double sumOfSquares(Arrays a) {
        return BlockSums.sumOfSquares(a.g, a.size);
    }

    /** A plain double loop (another order: the same value to about 1e-15, not the same bits). */
    @Benchmark
    public double sumOfSquaresPlain(Arrays a) {
        double s = 0;
        for (int i = 0; i < a.size; i++) {
            s += (double) a.g[i] * a.g[i];
        }
        return s;
    }

    /** The ReLU derivative: dx = x > 0 ? dy : 0 (a select). */
    @Benchmark
    public float[] positiveMask(Arrays a) {
        Elementwise.positiveMask(a.p, a.g, a.out, 0, a.size);
        return a.out;
    }

    /** The same as a branch per element (unpredictable on a real activation's signs). */
    @Benchmark
    public float[] positiveMaskPlain(Arrays a) {
        for (int i = 0; i < a.size; i++) {
            a.out[i] = a.p[i] > 0f ? a.g[i] : 0f;
        }
        return a.out;
    }

    /** A batch's input statistics: rows of 784 features (Fashion-MNIST), per-feature sums and squares in double. */
    @Benchmark
    public double[] inputSums(Arrays a) {
        int rows = a.size / 784;
        Elementwise.addRowsAndSquares(a.p, rows, 784, a.sums, a.squares);
        return a.sums;
    }

    /** The same as a plain loop, row by row (the same bits). */
    @Benchmark
    public double[] inputSumsPlain(Arrays a) {
        int rows = a.size / 784;
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < 784; f++) {
                double x = a.p[r * 784 + f];
                a.sums[f] += x;
                a.squares[f] += x * x;
            }
        }
        return a.sums;
    }
}
