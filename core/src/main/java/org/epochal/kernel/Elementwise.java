package org.epochal.kernel;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise loops the JIT does not vectorise well on its own. The selects: their plain-Java form compiles
 * to a branch per element, unpredictable with real data (a ReLU's sign pattern), 4–7 times slower than a
 * vector select; each element gets exactly the scalar expression's value, so both give the same bits. And
 * 2×2 max pooling, short copies and adds, and the diagnostics' once-a-batch passes (input
 * sums, ReLU firing). Fixed-order reductions are in {@link BlockSums}, the Adam update in {@link AdamUpdate}.
 */
public final class Elementwise {
    private Elementwise() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** dx[i] = x[i] > 0 ? dy[i] : 0 for i in [from, to) (NaN in x gives 0). */
    public static void positiveMask(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            VectorMask<Float> on = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, i), on).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }

    /** y[i] = x[i] > 0 ? v[i] : v[i] · slope for i in [from, to): leaky ReLU's value (v = x) and derivative (v = dy). */
    public static void positiveOrScaled(float[] x, float[] v, float slope, float[] y, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            VectorMask<Float> on = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
            FloatVector vv = FloatVector.fromArray(S, v, i);
            vv.mul(slope).blend(vv, on).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = x[i] > 0f ? v[i] : v[i] * slope;
        }
    }

    /**
     * out[outOff + e − from] = fma(left[r], right[c], 0) for the elements e = r·cols + c in [from, to) of the
     * matrix left ⊗ right, cols = right.length: an outer product as a GEMM of depth one stores it (a product
     * of −0 is stored as +0, as there).
     */
    public static void outerProducts(float[] left, float[] right, int from, int to, float[] out, int outOff) {
        int cols = right.length;
        FloatVector zero = FloatVector.zero(S);
        int r = from / cols;
        int c = from - r * cols;
        for (int e = from; e < to; r++, c = 0) {
            int len = Math.min(to - e, cols - c);
            float a = left[r];
            FloatVector av = FloatVector.broadcast(S, a);
            int o = outOff + e - from;
            int k = 0;
            for (int end = S.loopBound(len); k < end; k += L) {
                av.fma(FloatVector.fromArray(S, right, c + k), zero).intoArray(out, o + k);
            }
            for (; k < len; k++) {
                out[o + k] = Math.fma(a, right[c + k], 0f);
            }
            e += len;
        }
    }

    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

    /**
     * 2×2 max pooling of outputs [from, to): output o's window starts at x[map[o]] and covers map[o] + {0, 1,
     * w, w + 1}, scanned in that order; a larger value or a NaN takes over (PyTorch's CPU kernel: the first
     * maximum, or the last NaN). y[o] gets the value, arg[o] its index in x. Sixteen outputs at a time with
     * gathered loads and mask blends: as plain Java the scan compiles to branches that mispredict on real
     * data (17 ns an output); each lane makes the scalar scan's decisions, so both give the same result.
     */
    public static void maxPool2x2(float[] x, int[] map, int w, float[] y, int[] arg, int from, int to) {
        int o = from;
        for (int end = from + S.loopBound(to - from); o < end; o += L) {
            IntVector at = IntVector.fromArray(I, map, o);
            FloatVector max = FloatVector.fromArray(S, x, 0, map, o);
            IntVector best = at;
            FloatVector v = FloatVector.fromArray(S, x, 1, map, o);
            VectorMask<Float> take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(1), take.cast(I));
            v = FloatVector.fromArray(S, x, w, map, o);
            take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(w), take.cast(I));
            v = FloatVector.fromArray(S, x, w + 1, map, o);
            take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(w + 1), take.cast(I));
            max.intoArray(y, o);
            best.intoArray(arg, o);
        }
        for (; o < to; o++) {
            scan2x2(x, map[o], w, y, arg, o);
        }
    }

    /** Floats per vector: the longest run {@link #copyRun} and {@link #addRun} handle. */
    public static final int RUN_MAX = L;

    /** PAST[len]: the lanes at and after len. */
    private static final VectorMask<Float>[] PAST = past();

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] past() {
        VectorMask<Float>[] m = new VectorMask[L + 1];
        for (int len = 0; len <= L; len++) {
            boolean[] lanes = new boolean[L];
            for (int l = len; l < L; l++) {
                lanes[l] = true;
            }
            m[len] = VectorMask.fromArray(S, lanes, 0);
        }
        return m;
    }

    /**
     * Copies a run of at most {@link #RUN_MAX} floats with one vector load and store: dst[to .. to + LANES)
     * = src[from .. from + LANES). The floats written past the run are the caller's to overwrite later.
     * A call per 11-float run of a convolution's im2col cost about ten times more.
     */
    public static void copyRun(float[] src, int from, float[] dst, int to) {
        FloatVector.fromArray(S, src, from).intoArray(dst, to);
    }

    /**
     * dst[to + j] += src[from + j] for j < len ≤ {@link #RUN_MAX}, with one vector; the lanes past len are
     * stored back with the bits they had. Each sum is the scalar one, so the result is the same bits.
     */
    public static void addRun(float[] src, int from, float[] dst, int to, int len) {
        FloatVector d = FloatVector.fromArray(S, dst, to);
        d.add(FloatVector.fromArray(S, src, from)).blend(d, PAST[len]).intoArray(dst, to);
    }

    /**
     * sum[c] += x[r·cols + c] for every column c &lt; cols, rows r &lt; rows in order: a Linear layer's bias
     * gradient, the batch's rows of dy added up. Each column's additions are the plain loop's, in its order
     * (so the same bits), sixteen columns to a vector and sixty-four at a time, held in registers down all the
     * rows (the plain loop, left scalar by the JIT: 2% of an MLP step at batch 512, 75 µs). The plain loop
     * alone until the warm-up has run, as {@link #addRowsAndSquares}.
     */
    public static void addRows(float[] x, int rows, int cols, float[] sum) {
        addRows(x, 0, rows, cols, sum, Gemm.warm());
    }

    /** {@link #addRows} over the rows of x from element {@code xOff} on. */
    public static void addRows(float[] x, int xOff, int rows, int cols, float[] sum) {
        addRows(x, xOff, rows, cols, sum, Gemm.warm());
    }

    private static void addRows(float[] x, int xOff, int rows, int cols, float[] sum, boolean vectors) {
        int c = 0;
        if (vectors) {
            for (; c + 4 * L <= cols; c += 4 * L) {
                FloatVector s0 = FloatVector.fromArray(S, sum, c);
                FloatVector s1 = FloatVector.fromArray(S, sum, c + L);
                FloatVector s2 = FloatVector.fromArray(S, sum, c + 2 * L);
                FloatVector s3 = FloatVector.fromArray(S, sum, c + 3 * L);
                for (int r = 0, at = xOff + c; r < rows; r++, at += cols) {
                    s0 = s0.add(FloatVector.fromArray(S, x, at));
                    s1 = s1.add(FloatVector.fromArray(S, x, at + L));
                    s2 = s2.add(FloatVector.fromArray(S, x, at + 2 * L));
                    s3 = s3.add(FloatVector.fromArray(S, x, at + 3 * L));
                }
                s0.intoArray(sum, c);
                s1.intoArray(sum, c + L);
                s2.intoArray(sum, c + 2 * L);
                s3.intoArray(sum, c + 3 * L);
            }
            for (; c + L <= cols; c += L) {
                FloatVector s0 = FloatVector.fromArray(S, sum, c);
                for (int r = 0, at = xOff + c; r < rows; r++, at += cols) {
                    s0 = s0.add(FloatVector.fromArray(S, x, at));
                }
                s0.intoArray(sum, c);
            }
        }
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * cols;
            for (int j = c; j < cols; j++) {
                sum[j] += x[row + j];
            }
        }
    }

    /**
     * seen[u] = 1 where y[r·units + u] &gt; 0 for some row r &lt; rows (NaN is not); other elements of seen are
     * left as they were. A whole batch of a dense layer's outputs in one pass, units across the lanes; the
     * plain loop alone until the warm-up has run, as {@link #addRowsAndSquares}.
     */
    public static void markPositive(float[] y, int rows, int units, float[] seen) {
        markPositive(y, 0, rows, units, seen, Gemm.warm());
    }

    /** {@link #markPositive} over the rows of y from element {@code yOff} on. */
    public static void markPositive(float[] y, int yOff, int rows, int units, float[] seen) {
        markPositive(y, yOff, rows, units, seen, Gemm.warm());
    }

    private static void markPositive(float[] y, int yOff, int rows, int units, float[] seen, boolean vectors) {
        int vectorEnd = vectors ? S.loopBound(units) : 0;
        for (int r = 0; r < rows; r++) {
            int row = yOff + r * units;
            int u = 0;
            for (; u < vectorEnd; u += L) {
                VectorMask<Float> on = FloatVector.fromArray(S, y, row + u).compare(VectorOperators.GT, 0f);
                if (on.anyTrue()) {
                    FloatVector.fromArray(S, seen, u).blend(1f, on).intoArray(seen, u);
                }
            }
            for (; u < units; u++) {
                if (y[row + u] > 0f) {
                    seen[u] = 1f;
                }
            }
        }
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Double vectors a float vector widens into (2: 16 floats, 8 doubles a vector). */
    private static final int PARTS = L / D.length();

    /**
     * sum[f] += x[r·d + f] and sq[f] += x[r·d + f]² in double, for f &lt; d and rows r &lt; rows in order: for
     * every feature the same additions in the same order as the plain loop (a float's square is exact in
     * double, so fma(a, a, sq) rounds once, as sq + a·a does), so the same bits; a batch's features sixteen
     * at a time (the plain loop: 140 µs for a batch of 512 Fashion-MNIST images, a twentieth of a training
     * step; the fused square 90 µs against 111, `ElementwiseBench.inputSums`: the widening conversions bound
     * the loop, reading the batch alone takes 21). The floats are read with the float species
     * every kernel uses and widened in halves: a second, narrower float species put another FloatVector
     * class into the type profiles of the Vector API's shared methods, and C2 then compiled the GEMM's
     * packing with boxed vectors now and then (850 KB allocated a CNN batch; CI failed on it). Called once
     * a batch, it is compiled late: until the warm-up has run ({@link Gemm#warmUpInBackground()}) the plain
     * loop does all of it (the vector loop interpreted took 9 ms a batch).
     */
    public static void addRowsAndSquares(float[] x, int rows, int d, double[] sum, double[] sq) {
        addRowsAndSquares(x, 0, rows, d, sum, sq, Gemm.warm());
    }

    /** {@link #addRowsAndSquares} over the rows of x from element {@code xOff} on. */
    public static void addRowsAndSquares(float[] x, int xOff, int rows, int d, double[] sum, double[] sq) {
        addRowsAndSquares(x, xOff, rows, d, sum, sq, Gemm.warm());
    }

    private static void addRowsAndSquares(float[] x, int xOff, int rows, int d, double[] sum, double[] sq,
                                          boolean vectors) {
        int half = D.length();
        int vectorEnd = vectors ? S.loopBound(d) : 0;
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * d;
            int f = 0;
            for (; f < vectorEnd; f += L) {
                FloatVector v = FloatVector.fromArray(S, x, row + f);
                for (int part = 0; part < PARTS; part++) {
                    DoubleVector a = (DoubleVector) v.convertShape(VectorOperators.F2D, D, part);
                    int at = f + part * half;
                    DoubleVector.fromArray(D, sum, at).add(a).intoArray(sum, at);
                    a.fma(a, DoubleVector.fromArray(D, sq, at)).intoArray(sq, at);
                }
            }
            for (; f < d; f++) {
                double a = x[row + f];
                sum[f] += a;
                sq[f] += a * a;
            }
        }
    }

    /** Whether any of x[from..to) is above zero (NaN is not). */
    public static boolean anyPositive(float[] x, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            if (FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f).anyTrue()) {
                return true;
            }
        }
        for (; i < to; i++) {
            if (x[i] > 0f) {
                return true;
            }
        }
        return false;
    }

    /** Lane l of EVEN holds 2l, of ODD 2l + 1: selectFrom(v0, v1) then reads the even or odd floats of 32. */
    private static final FloatVector EVEN = indexVector(0);
    private static final FloatVector ODD = indexVector(1);
    private static final IntVector TWICE_IOTA = IntVector.zero(I).addIndex(2);

    private static FloatVector indexVector(int first) {
        float[] lanes = new float[L];
        for (int l = 0; l < L; l++) {
            lanes[l] = 2 * l + first;
        }
        return FloatVector.fromArray(S, lanes, 0);
    }

    /**
     * One plane of 2×2, stride-2 max pooling, a whole output row at a time (ow ≤ 16): the row pair's 32 + 32
     * floats are loaded and split into even and odd columns by two-vector permutes, then scanned as
     * {@link #maxPool2x2} does (same decisions, same bits), without its gathers. A row's 16-lane store runs
     * into the following output rows, which are written after it; rows whose overhang would pass the
     * plane's end (another task's plane) go through the scalar scan. x[in0 ..] is the plane (w wide),
     * y/arg[o0 ..] its output.
     */
    public static void maxPool2x2Plane(float[] x, int in0, int w, int oh, int ow, float[] y, int[] arg, int o0) {
        for (int i = 0; i < oh; i++) {
            int row = in0 + 2 * i * w;
            int o = o0 + i * ow;
            if (o + L > o0 + oh * ow || ow > L || row + w + 2 * L > x.length) {
                for (int j = 0; j < ow; j++) {
                    scan2x2(x, row + 2 * j, w, y, arg, o + j);
                }
                continue;
            }
            FloatVector t0 = FloatVector.fromArray(S, x, row);
            FloatVector t1 = FloatVector.fromArray(S, x, row + L);
            FloatVector b0 = FloatVector.fromArray(S, x, row + w);
            FloatVector b1 = FloatVector.fromArray(S, x, row + w + L);
            IntVector at = TWICE_IOTA.add(row);
            FloatVector max = EVEN.selectFrom(t0, t1);
            IntVector best = at;
            FloatVector v = ODD.selectFrom(t0, t1);
            VectorMask<Float> take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(1), take.cast(I));
            v = EVEN.selectFrom(b0, b1);
            take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(w), take.cast(I));
            v = ODD.selectFrom(b0, b1);
            take = v.compare(VectorOperators.GT, max).or(v.test(VectorOperators.IS_NAN));
            max = max.blend(v, take);
            best = best.blend(at.add(w + 1), take.cast(I));
            max.intoArray(y, o);
            best.intoArray(arg, o);
        }
    }

    /** The scalar scan of one 2×2 window starting at x[r]. */
    private static void scan2x2(float[] x, int r, int w, float[] y, int[] arg, int o) {
        float max = x[r];
        int best = r;
        for (int q = 1; q < 4; q++) {
            int at = r + (q & 1) + (q >> 1) * w;
            float v = x[at];
            if (v > max || v != v) {
                max = v;
                best = at;
            }
        }
        y[o] = max;
        arg[o] = best;
    }

    /** Column counts of {@link #addRows}' warm-up: whole vectors, a tail alone, both. */
    private static final int[] ROW_SUM_COLS = {80, 10, 90};

    /** Every loop here on small private arrays, for {@link Gemm#warmUpInBackground()} to call until compiled. */
    static WarmUp.Loop[] warmUpLoops() {
        float[] x = new float[80];
        float[] y = new float[80];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) - 2f;
        }
        int[] map = new int[148];
        for (int i = 0; i < map.length; i++) {
            map[i] = 2 * i;
        }
        float[] pooled = new float[map.length];
        float[] planeOut = new float[52];
        int[] planeArg = new int[52];
        int[] arg = new int[map.length];
        float[] g = new float[2 * 4096 + 3];
        float[] left5 = Arrays.copyOf(x, 5);
        float[] right16 = Arrays.copyOf(y, 16);
        // rows of 33 features: two vectors and a tail a row
        double[] featureSums = new double[33];
        double[] featureSquares = new double[33];
        float[] seen = new float[17];
        float[] rowSums = new float[90];
        float[] offs = new float[80];
        Arrays.fill(offs, -1f);
        // Bounds in ns a call (see WarmUp.Loop): compiled, the 80-float loops took 12-55 ns here, 148 gathered
        // 2x2 windows 250.
        return new WarmUp.Loop[] {
            new WarmUp.Loop(150, i -> positiveMask(x, x, y, i & 7, 80)),
            new WarmUp.Loop(150, i -> positiveOrScaled(x, y, 0.01f, y, i & 7, 80)),
            new WarmUp.Loop(150, i -> addRowsAndSquares(x, i & 1, 2, 33, featureSums, featureSquares, true)),
            // rows with and without a positive vector: ReLU outputs have both (with only the first, C2 left the
            // other out, and a batch of one's first step sent the loop back to the interpreter: JFR's
            // jdk.Deoptimization, unstable_if)
            new WarmUp.Loop(100, i -> markPositive((i & 1) == 0 ? x : offs, i & 2, 4, 17, seen, true)),
            // whole vectors, a tail alone (a 10-class layer's bias) and both, over few rows and more: with whole
            // vectors only, C2 speculated the tail loop away and training deoptimised it five times
            new WarmUp.Loop(400, i -> addRows(g, (i & 8) == 0 ? 0 : 90, (i & 4) == 0 ? 4 : 33, ROW_SUM_COLS[i % 3], rowSums, true)),
            new WarmUp.Loop(150, i -> outerProducts(left5, right16, i & 7, 80, g, 0)),
            // 148 windows a call (nine vectors): C2 compiled it last of all with 36 (after 2.8 s)
            new WarmUp.Loop(1_000, i -> maxPool2x2(g, map, 1, pooled, arg, i & 3, map.length)),
            new WarmUp.Loop(300, i -> maxPool2x2Plane(g, 0, 26, 4, 13, planeOut, planeArg, 0)),
            new WarmUp.Loop(300, i -> copyRun(x, i & 7, y, 8)),
            new WarmUp.Loop(100, i -> anyPositive(y, i & 7, 80)),
            new WarmUp.Loop(300, i -> addRun(x, i & 7, y, 8, 1 + (i % L))),
        };
    }
}
