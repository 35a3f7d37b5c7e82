package org.epochal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums over float arrays in a fixed order, whatever the thread count or whether the loop runs compiled: the
 * gradient norm, the probes' weight and activation statistics, a convolution's bias gradient.
 */
public final class BlockSums {
    private BlockSums() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per block: a multiple of 4 vectors for any vector size up to 1024 lanes. */
    public static final int BLOCK = 4096;
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);

    /**
     * Σ g²: blocks of 4096 elements summed in float vector lanes (64 partial sums of 64 squares each, one
     * fma per element), each block's partial sums then added in double in lane order; the tail in double.
     * Lane arithmetic is exactly specified (unlike a vector reduceLanes), so the result is the same bits on
     * every run, thread count, and whether the loop is interpreted or compiled. About ten times faster than
     * a scalar double loop, which cost more than the Adam step on an MLP at batch 1.
     */
    public static double sumOfSquares(float[] g) {
        return sumOfSquares(g, g.length);
    }

    /** Σ x² over the first n elements, in the same fixed order as {@link #sumOfSquares(float[])}. */
    public static double sumOfSquares(float[] x, int n) {
        return sumOfSquares(x, 0, n);
    }

    /** Σ x² over [from, to): blocks of {@link #BLOCK} from {@code from} on, as {@link #sumOfSquares(float[])}. */
    public static double sumOfSquares(float[] x, int from, int to) {
        float[] lanes = LANES.get();
        double total = 0;
        int i = from;
        int n = to;
        for (; i + BLOCK <= n; i += BLOCK) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int j = i; j < i + BLOCK; j += 4 * L) {
                FloatVector v0 = FloatVector.fromArray(S, x, j);
                FloatVector v1 = FloatVector.fromArray(S, x, j + L);
                FloatVector v2 = FloatVector.fromArray(S, x, j + 2 * L);
                FloatVector v3 = FloatVector.fromArray(S, x, j + 3 * L);
                s0 = v0.fma(v0, s0);
                s1 = v1.fma(v1, s1);
                s2 = v2.fma(v2, s2);
                s3 = v3.fma(v3, s3);
            }
            total = addLanes(total, lanes, s0, s1, s2, s3);
        }
        for (; i < n; i++) {
            double v = x[i];
            total += v * v;
        }
        return total;
    }

    /** Floats {@link #addAndSquareBlock} writes per block: the lane sums {@link #sumOfSquares} adds. */
    public static final int LANE_SUMS = 4 * L;

    /**
     * g[from, from + BLOCK) += second[from, from + BLOCK), then that block's {@link #LANE_SUMS} lane sums of g²
     * into lanes[at, …), computed as {@link #sumOfSquares} computes a whole block's (from a multiple of BLOCK
     * in g). {@link #addLaneSums} adds them into a running total in its order, so a total over every block
     * (and {@link #addTailSquares} for the tail) is sumOfSquares(g)'s bits. For the gradient sums of a step
     * by halves: each block on the thread that adds it, the total on the caller.
     */
    public static void addAndSquareBlock(float[] g, float[] second, int from, float[] lanes, int at) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int j = from; j < from + BLOCK; j += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, g, j).add(FloatVector.fromArray(S, second, j));
            FloatVector v1 = FloatVector.fromArray(S, g, j + L).add(FloatVector.fromArray(S, second, j + L));
            FloatVector v2 = FloatVector.fromArray(S, g, j + 2 * L).add(FloatVector.fromArray(S, second, j + 2 * L));
            FloatVector v3 = FloatVector.fromArray(S, g, j + 3 * L).add(FloatVector.fromArray(S, second, j + 3 * L));
            v0.intoArray(g, j);
            v1.intoArray(g, j + L);
            v2.intoArray(g, j + 2 * L);
            v3.intoArray(g, j + 3 * L);
            s0 = v0.fma(v0, s0);
            s1 = v1.fma(v1, s1);
            s2 = v2.fma(v2, s2);
            s3 = v3.fma(v3, s3);
        }
        s0.intoArray(lanes, at);
        s1.intoArray(lanes, at + L);
        s2.intoArray(lanes, at + 2 * L);
        s3.intoArray(lanes, at + 3 * L);
    }

    /** total + lanes[at] + lanes[at + 1] + … over {@link #LANE_SUMS} floats, in double, in order. */
    public static double addLaneSums(double total, float[] lanes, int at) {
        for (int k = at; k < at + LANE_SUMS; k++) {
            total += lanes[k];
        }
        return total;
    }

    /** total + x[i]² for i in [from, to), in double, in order: {@link #sumOfSquares}'s tail. */
    public static double addTailSquares(double total, float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            total += v * v;
        }
        return total;
    }

    /**
     * Σ g² over the matrix g = left ⊗ right (a gradient held as an outer product), as (Σ left²)·(Σ right²)
     * in double: the sum of squares of the exact products, where the written matrix holds each rounded to
     * float; the two differ by about 1e-7 relative (a float rounding), and this form costs rows + cols
     * operations instead of rows·cols (W1 of the Fashion-MNIST MLP at batch 1: 1 µs instead of 12-20).
     * A fixed order, so the same bits on every run and thread count.
     */
    public static double sumOfSquaresOuter(float[] left, float[] right) {
        return squaresInDouble(left) * squaresInDouble(right);
    }

    /**
     * Σ x² in double (short vectors): four partial sums, element i into sum i mod 4 in order, then
     * (s0 + s1) + (s2 + s3), and the last x.length mod 4 elements onto that in order. One sum took each
     * addition's latency in turn: the norm of a batch of one's gradients, 1,560 elements in six vectors on
     * the Fashion-MNIST MLP, 1.6 µs a step.
     */
    private static double squaresInDouble(float[] x) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= x.length; i += 4) {
            double v0 = x[i];
            double v1 = x[i + 1];
            double v2 = x[i + 2];
            double v3 = x[i + 3];
            s0 += v0 * v0;
            s1 += v1 * v1;
            s2 += v2 * v2;
            s3 += v3 * v3;
        }
        double total = (s0 + s1) + (s2 + s3);
        for (; i < x.length; i++) {
            double v = x[i];
            total += v * v;
        }
        return total;
    }

    /**
     * Σ x[from..to), in the same fixed block order (blocks counted from {@code from}), and then the last,
     * partial block likewise as far as it holds whole groups of 4·L: a convolution's bias gradient sums
     * 3,872 values a channel and half-batch (conv2 at batch 64), all of which the double tail took one
     * dependent addition at a time (some 0.5 ms a step). Only the last fewer than 4·L go in double.
     */
    public static double sum(float[] x, int from, int to) {
        float[] lanes = LANES.get();
        double total = 0;
        int i = from;
        while (i + 4 * L <= to) {
            int end = i + Math.min(BLOCK, (to - i) / (4 * L) * (4 * L));
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int j = i; j < end; j += 4 * L) {
                s0 = s0.add(FloatVector.fromArray(S, x, j));
                s1 = s1.add(FloatVector.fromArray(S, x, j + L));
                s2 = s2.add(FloatVector.fromArray(S, x, j + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, x, j + 3 * L));
            }
            total = addLanes(total, lanes, s0, s1, s2, s3);
            i = end;
        }
        for (; i < to; i++) {
            total += x[i];
        }
        return total;
    }

    /** Σ (a − b)², in the same fixed block order as {@link #sumOfSquares}. */
    public static double sumOfSquaredDifferences(float[] a, float[] b) {
        int n = Math.min(a.length, b.length);
        float[] lanes = LANES.get();
        double total = 0;
        int i = 0;
        for (; i + BLOCK <= n; i += BLOCK) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int j = i; j < i + BLOCK; j += 4 * L) {
                FloatVector v0 = FloatVector.fromArray(S, a, j).sub(FloatVector.fromArray(S, b, j));
                FloatVector v1 = FloatVector.fromArray(S, a, j + L).sub(FloatVector.fromArray(S, b, j + L));
                FloatVector v2 = FloatVector.fromArray(S, a, j + 2 * L).sub(FloatVector.fromArray(S, b, j + 2 * L));
                FloatVector v3 = FloatVector.fromArray(S, a, j + 3 * L).sub(FloatVector.fromArray(S, b, j + 3 * L));
                s0 = v0.fma(v0, s0);
                s1 = v1.fma(v1, s1);
                s2 = v2.fma(v2, s2);
                s3 = v3.fma(v3, s3);
            }
            total = addLanes(total, lanes, s0, s1, s2, s3);
        }
        for (; i < n; i++) {
            double v = (double) a[i] - b[i];
            total += v * v;
        }
        return total;
    }

    /**
     * total + a block's 4·L partial sums, added in double in lane order. The three block sums above are
     * separate loops, not one loop told which terms to sum: C2 compiled that one nine times in a run (its
     * loop checks, hoisted for the kind of sum it had seen, failed for the next kind), 300-400 ms of
     * compiler time while the kernels waited for their turn.
     */
    private static double addLanes(double total, float[] lanes, FloatVector s0, FloatVector s1, FloatVector s2,
                                   FloatVector s3) {
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        s2.intoArray(lanes, 2 * L);
        s3.intoArray(lanes, 3 * L);
        for (float lane : lanes) {
            total += lane;
        }
        return total;
    }

    /** The sums on a small private array, for {@link Gemm#warmUpInBackground()} to call until compiled. */
    static WarmUp.Loop[] warmUpLoops() {
        float[] g = new float[2 * BLOCK + 3];
        for (int i = 0; i < g.length; i++) {
            g[i] = (i % 5) - 2f;
        }
        float[] zeros = new float[g.length];
        float[] warmLanes = new float[LANE_SUMS];
        // Bounds in ns a call (see WarmUp.Loop): compiled, over up to 8,195 floats, 120-600 here. Lengths with
        // and without whole blocks, as training has (a bias, a weight).
        return new WarmUp.Loop[] {
            new WarmUp.Loop(2_000, i -> sumOfSquares(g, i & 2, (i & 1) == 0 ? g.length : 3 + i % (BLOCK / 2))),
            new WarmUp.Loop(2_000, i -> sum(g, 3, (i & 1) == 0 ? g.length : 1 + i % (BLOCK / 2))),
            new WarmUp.Loop(2_000, i -> sumOfSquaredDifferences(g, g)),
            new WarmUp.Loop(2_000, i -> addAndSquareBlock(g, zeros, (i & 1) * BLOCK, warmLanes, 0)),
        };
    }
}
