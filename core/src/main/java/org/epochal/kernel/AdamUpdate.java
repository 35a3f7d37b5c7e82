package org.epochal.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Adam and AdamW update as Vector API loops, beside its element-by-element form (the JIT left the plain
 * loop unvectorised: half of an MLP step at batch 1), from a written gradient or from one held as an outer
 * product ({@link org.epochal.layer.Parameter#deferOuterGrad}). The same float operations in the same order
 * in every lane as in the scalar form, so both give the same bits.
 */
public final class AdamUpdate {
    private AdamUpdate() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    /** Floats a vector: a matrix whose rows are a multiple of it is updated in whole vectors by adamOuter. */
    public static final int LANES = L;

    // The constants, by index in the factors array of adam(): see org.epochal.optim.Adam.
    public static final int BETA1 = 0;
    public static final int BETA2 = 1;
    public static final int ONE_MINUS_BETA1 = 2;
    public static final int ONE_MINUS_BETA2 = 3;
    public static final int EPS = 4;
    /** Adam's L2 weight decay, added to the gradient (0 for AdamW). */
    public static final int WEIGHT_DECAY = 5;
    /** AdamW's decoupled decay factor 1 − lr·wd (1 for Adam). */
    public static final int DECAY = 6;
    /** lr / (1 − β1ᵗ). */
    public static final int STEP_SIZE = 7;
    /**
     * 1 / √(1 − β2ᵗ), computed in double and rounded once. PyTorch divides √v by √(1 − β2ᵗ); multiplying by
     * the reciprocal gives a denominator within an ulp of its and saves one of the update's three long
     * operations (a square root and two divisions: 28 cycles per 16 weights on Zen 4, the pace of batch 1).
     */
    public static final int INV_BC2_SQRT = 8;
    /**
     * What an outer-product gradient is multiplied by (1, or gradient clipping's coefficient): each element
     * is fma(left[r], right[c], 0)·scale, as Parameter#grad writes it out. Read only by the outer-product loops.
     */
    public static final int GRAD_SCALE = 9;
    public static final int FACTORS = 10;

    /**
     * One Adam/AdamW update of elements [from, to): θ = θ·decay; g = g + wd·θ; m = β1·m + (1 − β1)·g;
     * v = β2·v + (1 − β2)·g²; θ = θ − stepSize · m / (√v · invBc2 + eps). Vector lanes perform the same float
     * operations in the same order as {@link #adamScalar} (lane arithmetic and sqrt round as Java's), so
     * both give the same bits. The JIT left the scalar loop unvectorised: half of an MLP step at batch 1.
     *
     * <p>A moment below the smallest normal float is stored as zero (PyTorch with
     * {@code torch.set_flush_denormal(True)}). The first moment of a weight whose input is dark decays by β1
     * a step and spends some 150 steps among subnormal numbers, each operation on one taking a slow path:
     * at batch 1 on Fashion-MNIST half of W1's first moments were subnormal and the update took 77 µs
     * instead of 46. What is dropped moves no weight: its step, stepSize·m/(√v·invBc2 + eps), is below 1e-30.
     */
    public static void adam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float[] k) {
        adam(p, grad, m, v, from, to, k, true);
    }

    /** {@link #adam} element by element, as PyTorch's single-tensor Adam writes it (but for {@link #INV_BC2_SQRT}). */
    public static void adamScalar(float[] p, float[] grad, float[] m, float[] v, int from, int to, float[] k) {
        adam(p, grad, m, v, from, to, k, false);
    }

    /** Whole vectors first when {@code vectors}, then the rest element by element. */
    private static void adam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float[] k,
                             boolean vectors) {
        float beta1 = k[BETA1];
        float beta2 = k[BETA2];
        float omb1 = k[ONE_MINUS_BETA1];
        float omb2 = k[ONE_MINUS_BETA2];
        float eps = k[EPS];
        float wd = k[WEIGHT_DECAY];
        float decay = k[DECAY];
        float stepSize = k[STEP_SIZE];
        float invBc2 = k[INV_BC2_SQRT];
        int i = from;
        for (int end = vectors ? from + S.loopBound(to - from) : from; i < end; i += L) {
            adamLanes(FloatVector.fromArray(S, grad, i), p, m, v, i, beta1, beta2, omb1, omb2, eps, wd, decay,
                    stepSize, invBc2);
        }
        for (; i < to; i++) {
            adamElement(grad[i], p, m, v, i, beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
        }
    }

    /**
     * {@link #adam} of elements [from, to) of a matrix whose gradient is held as left ⊗ right (cols =
     * right.length): each element's gradient is computed where it is used, fma(left[r], right[c], 0) times
     * k[GRAD_SCALE], the value Parameter#grad writes, so the same bits as {@link #adam} over the written gradient
     * without its store and load (a Linear layer's weight at batch 1). Its own method, constants loaded
     * again: one method holding both loops was compiled by C2 with its vectors boxed (AllocationTest at
     * batch 1: 49 KB a batch instead of 64 bytes).
     */
    public static void adamOuter(float[] p, float[] left, float[] right, float[] m, float[] v, int from, int to,
                                 float[] k) {
        float beta1 = k[BETA1];
        float beta2 = k[BETA2];
        float omb1 = k[ONE_MINUS_BETA1];
        float omb2 = k[ONE_MINUS_BETA2];
        float eps = k[EPS];
        float wd = k[WEIGHT_DECAY];
        float decay = k[DECAY];
        float stepSize = k[STEP_SIZE];
        float invBc2 = k[INV_BC2_SQRT];
        float gradScale = k[GRAD_SCALE];
        int cols = right.length;
        FloatVector zero = FloatVector.zero(S);
        if (cols % L == 0 && from % L == 0 && to % L == 0) {
            // whole vectors, each within a row: one loop over the range, the row's left value changed as the
            // columns wrap. A loop per row paid C2's loop set-up 784 times for W1: in training, switching
            // every 20 batches, Adam's step at batch 1 took 112-113 µs that way and 90-94 µs this way.
            int r = from / cols;
            int c = from - r * cols;
            FloatVector av = FloatVector.broadcast(S, left[r]);
            for (int i = from; i < to; i += L) {
                adamLanes(av.fma(FloatVector.fromArray(S, right, c), zero).mul(gradScale), p, m, v, i,
                        beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
                c += L;
                if (c == cols && i + L < to) {
                    c = 0;
                    av = FloatVector.broadcast(S, left[++r]);
                }
            }
            return;
        }
        for (int e = from, r = from / cols; e < to; r++) {
            int len = Math.min(to - e, (r + 1) * cols - e);
            int shift = r * cols; // element i's column: i − shift
            float a = left[r];
            FloatVector av = FloatVector.broadcast(S, a);
            int i = e;
            for (int end = e + S.loopBound(len); i < end; i += L) {
                adamLanes(av.fma(FloatVector.fromArray(S, right, i - shift), zero).mul(gradScale), p, m, v, i,
                        beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
            }
            for (int end = e + len; i < end; i++) {
                adamElement(Math.fma(a, right[i - shift], 0f) * gradScale, p, m, v, i,
                        beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
            }
            e += len;
        }
    }

    /** A row of {@link #adamOuterRows} whose first moments are not all zero: each step updates it. */
    public static final int BUSY = -1;

    /**
     * {@link #adamOuter} of rows [fromRow, toRow) of a matrix whose gradient is left ⊗ right (right.length a
     * whole number of vectors), skipping the rows that stay as they are. Row r's gradient is zero when
     * left[r] is (and right is finite); if its first moments are all zero too, Adam leaves m at +0 and θ
     * as it is (θ − stepSize·0/denominator, with eps &gt; 0, no decay, no weight decay; right finite, which
     * the caller says: {@link #allFinite}, once a step, not once a chunk), and only its second
     * moments change, v = β2·v. Such a row is not read: {@code rows[r]} counts the decays it owes, and
     * they are applied, the same float operations in the same order, before the row is next updated or
     * when {@link #settleRows} is called. rows[r] is {@link #BUSY} for a row whose first moments are not
     * all zero (or not known to be); the update sets it. At batch 1 on Fashion-MNIST the first layer's
     * units that the ReLU keeps off (about 9 in 10 each sample) and whose moments have decayed to zero are
     * half or more of its rows, and of the second layer's (its rows are its inputs, the first layer's units).
     */
    public static void adamOuterRows(float[] p, float[] left, float[] right, float[] m, float[] v, int fromRow,
                                     int toRow, float[] k, int[] rows, boolean rightFinite) {
        int cols = right.length;
        if (cols % L != 0) {
            throw new IllegalArgumentException(cols + " columns: not whole vectors of " + L);
        }
        float beta1 = k[BETA1];
        float beta2 = k[BETA2];
        float omb1 = k[ONE_MINUS_BETA1];
        float omb2 = k[ONE_MINUS_BETA2];
        float eps = k[EPS];
        float wd = k[WEIGHT_DECAY];
        float decay = k[DECAY];
        float stepSize = k[STEP_SIZE];
        float invBc2 = k[INV_BC2_SQRT];
        float gradScale = k[GRAD_SCALE];
        boolean skips = rightFinite && decay == 1f && wd == 0f && eps > 0f && stepSize >= 0f
                && stepSize < Float.POSITIVE_INFINITY && Float.isFinite(gradScale);
        FloatVector zero = FloatVector.zero(S);
        for (int r = fromRow; r < toRow; r++) {
            int owed = rows[r];
            if (skips && owed >= 0 && left[r] == 0f) {
                rows[r] = owed + 1;
                continue;
            }
            int row = r * cols;
            if (owed > 0) {
                decay(v, row, row + cols, owed, beta2);
            }
            FloatVector av = FloatVector.broadcast(S, left[r]);
            IntVector bits = IntVector.zero(IS);
            for (int c = 0; c < cols; c += L) {
                adamLanes(av.fma(FloatVector.fromArray(S, right, c), zero).mul(gradScale), p, m, v, row + c,
                        beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
                bits = bits.or(FloatVector.fromArray(S, m, row + c).reinterpretAsInts());
            }
            rows[r] = bits.reduceLanes(VectorOperators.OR) == 0 ? 0 : BUSY; // a stored zero moment is +0
        }
    }

    /** Applies the decays rows [fromRow, toRow) owe ({@link #adamOuterRows}); they then owe none. */
    public static void settleRows(float[] v, int cols, int fromRow, int toRow, float beta2, int[] rows) {
        for (int r = fromRow; r < toRow; r++) {
            if (rows[r] > 0) {
                decay(v, r * cols, (r + 1) * cols, rows[r], beta2);
                rows[r] = 0;
            }
        }
    }

    /**
     * v = β2·v, {@code times} times, over [from, to): a zero gradient's second-moment update, in its order.
     * Four vectors at a time: each element's decays are a chain of dependent multiplies, and one vector's
     * chain left the core waiting on each multiply's latency. At batch 1 on Fashion-MNIST the first layer's
     * idle units owe tens of decays when they next fire; in one process switching every two steps (epochs
     * 3-6), the mean step was 1.2-2.9% lower on one thread (three runs) and 5-6% on two (two runs), the
     * median the same. Stopping once the values are zero (a zero stays zero) changes no bits.
     */
    private static void decay(float[] v, int from, int to, int times, float beta2) {
        int i = from;
        for (int end = from + (to - from) / (4 * L) * (4 * L); i < end; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, v, i);
            FloatVector v1 = FloatVector.fromArray(S, v, i + L);
            FloatVector v2 = FloatVector.fromArray(S, v, i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, v, i + 3 * L);
            for (int t = 0; t < times; t++) {
                v0 = decayed(v0, beta2);
                v1 = decayed(v1, beta2);
                v2 = decayed(v2, beta2);
                v3 = decayed(v3, beta2);
                if ((t & 63) == 63 && !nonZero(v0).or(nonZero(v1)).or(nonZero(v2)).or(nonZero(v3)).anyTrue()) {
                    break; // zero stays zero
                }
            }
            v0.intoArray(v, i);
            v1.intoArray(v, i + L);
            v2.intoArray(v, i + 2 * L);
            v3.intoArray(v, i + 3 * L);
        }
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector vi = FloatVector.fromArray(S, v, i);
            for (int t = 0; t < times; t++) {
                vi = decayed(vi, beta2);
                if ((t & 63) == 63 && !nonZero(vi).anyTrue()) {
                    break; // zero stays zero
                }
            }
            vi.intoArray(v, i);
        }
        for (; i < to; i++) {
            for (int t = 0; t < times && v[i] != 0f; t++) {
                v[i] = flushBelowNormal(v[i] * beta2);
            }
        }
    }

    private static VectorMask<Float> nonZero(FloatVector v) {
        return v.compare(VectorOperators.NE, 0f);
    }

    /** One decay of second moments: β2·v, stored as zero below the smallest normal float. */
    private static FloatVector decayed(FloatVector v, float beta2) {
        FloatVector d = v.mul(beta2);
        return d.blend(0f, d.compare(VectorOperators.LT, Float.MIN_NORMAL));
    }

    /** Whether every element of x is finite: {@link #adamOuterRows}' rightFinite, once a step. */
    public static boolean allFinite(float[] x) {
        for (float f : x) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #adamOuter} of elements [from, to) of a rows × right.length matrix stored in panels of
     * {@code width} columns (Parameter#storeInPanels: element (r, c) of panel p at (p·rows + r)·width + c −
     * p·width); width, from and to whole vectors. One loop, wrapping to the next row at a panel's edge and
     * to the next panel after its last row. Its own method with its own constants, as adamOuter's.
     */
    public static void adamOuterPanels(float[] p, float[] left, float[] right, float[] m, float[] v, int width,
                                       int from, int to, float[] k) {
        if (width % L != 0 || from % L != 0 || to % L != 0) {
            throw new IllegalArgumentException("panels of " + width + ", elements [" + from + ", " + to
                    + "): not whole vectors of " + L);
        }
        if (from >= to) {
            return;
        }
        float beta1 = k[BETA1];
        float beta2 = k[BETA2];
        float omb1 = k[ONE_MINUS_BETA1];
        float omb2 = k[ONE_MINUS_BETA2];
        float eps = k[EPS];
        float wd = k[WEIGHT_DECAY];
        float decay = k[DECAY];
        float stepSize = k[STEP_SIZE];
        float invBc2 = k[INV_BC2_SQRT];
        float gradScale = k[GRAD_SCALE];
        int rows = left.length;
        int panel = from / (rows * width);
        int within = from - panel * rows * width;
        int r = within / width;
        int c = panel * width + within - r * width; // the column in right
        int edge = panel * width + width;
        FloatVector zero = FloatVector.zero(S);
        FloatVector av = FloatVector.broadcast(S, left[r]);
        for (int i = from; i < to; i += L) {
            adamLanes(av.fma(FloatVector.fromArray(S, right, c), zero).mul(gradScale), p, m, v, i,
                    beta1, beta2, omb1, omb2, eps, wd, decay, stepSize, invBc2);
            c += L;
            if (c == edge && i + L < to) {
                c -= width;
                if (++r == rows) {
                    r = 0;
                    c = edge;
                    edge += width;
                }
                av = FloatVector.broadcast(S, left[r]);
            }
        }
    }

    /** {@link #adam}'s formula on lanes [i, i + L), g their gradient. */
    private static void adamLanes(FloatVector g, float[] p, float[] m, float[] v, int i, float beta1, float beta2,
                                  float omb1, float omb2, float eps, float wd, float decay, float stepSize,
                                  float invBc2) {
        FloatVector w = FloatVector.fromArray(S, p, i);
        if (decay != 1f) {
            w = w.mul(decay);
        }
        if (wd != 0f) {
            g = g.add(w.mul(wd));
        }
        FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(g.mul(omb1));
        FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(g.mul(g).mul(omb2));
        mi = mi.blend(0f, mi.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
        vi = vi.blend(0f, vi.compare(VectorOperators.LT, Float.MIN_NORMAL)); // v ≥ 0: no abs (3-18% of the loop)
        FloatVector denom = vi.sqrt().mul(invBc2).add(eps);
        mi.intoArray(m, i);
        vi.intoArray(v, i);
        w.sub(mi.div(denom).mul(stepSize)).intoArray(p, i);
    }

    /** {@link #adam}'s formula on element i, g its gradient (PyTorch's single-tensor Adam). */
    private static void adamElement(float g, float[] p, float[] m, float[] v, int i, float beta1, float beta2,
                                    float omb1, float omb2, float eps, float wd, float decay, float stepSize,
                                    float invBc2) {
        if (decay != 1f) {
            p[i] = p[i] * decay;
        }
        if (wd != 0f) {
            g = g + wd * p[i];
        }
        m[i] = flushSubnormal(m[i] * beta1 + omb1 * g);
        v[i] = flushBelowNormal(v[i] * beta2 + omb2 * (g * g));
        float denom = (float) Math.sqrt(v[i]) * invBc2 + eps;
        p[i] = p[i] - stepSize * (m[i] / denom);
    }

    /** x, or zero when x is subnormal (its sign dropped: a vector blend writes +0 too). */
    static float flushSubnormal(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }

    /**
     * x, or zero when x is below the smallest normal float: {@link #flushSubnormal} for a second moment,
     * which the formula keeps ≥ 0 (only a hand-made checkpoint could hold a negative one; it becomes zero).
     */
    static float flushBelowNormal(float x) {
        return x < Float.MIN_NORMAL ? 0f : x;
    }

    /** The loops for {@link WarmUp}, on private arrays (bounds in ns a call, as Elementwise's). */
    static WarmUp.Loop[] warmUpLoops() {
        float[] x = new float[80];
        float[] y = new float[80];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) - 2f;
        }
        float[] g = new float[2 * 4096 + 3];
        float[] k = {0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 0f, 1f, 1e-3f, 0.5f, 1f};
        float[] left5 = Arrays.copyOf(x, 5);
        float[] left4 = Arrays.copyOf(x, 4);
        float[] right16 = Arrays.copyOf(y, 16);
        float[] right20 = Arrays.copyOf(x, 20);
        float[] right32 = Arrays.copyOf(x, 32);
        float[] p160 = new float[160];
        float[] left5z = {0f, 1.5f, 0f, -0.5f, 0f};
        int[] idle = new int[5];
        float[] m160 = new float[160];
        float[] v160 = new float[160];
        // Adam's factors for the rows loop (idle rows are skipped only without a decay): the first loop
        // switches its own array between Adam's and AdamW's, and once shared it with this one, which then
        // never skipped a row and left the skipping path out of C2's code
        float[] adamK = k.clone();
        float[] owedV = new float[2 * 144];
        int[] owed = new int[2];
        return new WarmUp.Loop[] {
            new WarmUp.Loop(300, i -> {
                k[DECAY] = (i & 1) == 0 ? 1f : 0.999f;
                adam(x, y, g, g, i & 7, 80, k);
            }),
            // a batch of one's weight gradients, held as outer products: 5 rows of 16 and 4 of 20 floats
            new WarmUp.Loop(300, i -> adamOuter(x, (i & 1) == 0 ? left5 : left4, (i & 1) == 0 ? right16 : right20,
                    g, g, i & 7, 80, k)),
            // and stored in panels: 5 rows of two panels of 16, from and to a vector apart in turns
            new WarmUp.Loop(500, i -> adamOuterPanels(p160, left5, right32, g, g, 16, (i & 7) * 16,
                    160 - (i >> 3 & 1) * 16, k)),
            // by rows, some idle: a batch of one's first layer by unit (Linear#storeWeightByUnit) and the next
            // one's rows of inputs; the decays owed, now and then
            new WarmUp.Loop(500, i -> {
                left5z[2] = (i & 15) == 0 ? 1f : 0f;
                if ((i & 63) == 0) {
                    Arrays.fill(idle, BUSY);
                }
                adamOuterRows(p160, left5z, right32, m160, v160, 0, 5, adamK, idle, (i & 127) != 0);
                if ((i & 31) == 31) {
                    settleRows(v160, 32, 0, 5, k[BETA2], idle);
                }
            }),
            // the decays owed, by rows of 9 and 2 vectors: a few, or past 64 (where the loop looks for zeros,
            // which stop it early, or finds values still decaying). Without the long ones C2 left the check
            // out, and a batch of one's first layer, whose idle units owe tens of decays, deoptimised it.
            new WarmUp.Loop(10_000, i -> {
                Arrays.fill(owedV, (i & 2) == 0 ? 1e-3f : 0f);
                owed[0] = (i & 4) == 0 ? 100 : 3;
                owed[1] = 70;
                settleRows(owedV, (i & 1) == 0 ? 144 : 32, 0, 2, 0.999f, owed);
            }),
        };
    }
}
