package org.epochal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·Bᵀ (or C += A·Bᵀ) for few outputs and a long k, A and B read along their rows: a first
 * convolution's weight gradient, dW[32, 9] = dY[32, 43264]·col[9, 43264]ᵀ. {@link Gemm} keeps one chain
 * per element, so it has to transpose both operands, and it pads 32 rows to 64 lanes: 0.9 ms a batch for
 * 12.5 million multiply-adds. Here each element is a dot product of two contiguous rows.
 *
 * <p>The order, the same on every thread count and machine: sixteen lane chains, lane l summing the
 * products of p ≡ l (mod 16) for p below k rounded down to 16, in p order (s = fma(a, b, s) from +0); then
 * the lanes added in order, s = l0 + l1 + ... + l15; then the remaining p in order (s = fma(a, b, s)); then
 * c = s, or c = c + s. {@link #reference} is that order element by element.
 */
public final class Dots {
    private Dots() {
    }

    /** The lane chains: fixed, whatever the vector size (other sizes take the reference path). */
    private static final int LANES = 16;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final boolean VECTOR = Gemm.VECTORIZED && S.length() == LANES;
    /** p per block: a block of a 4×3 register tile's rows (7 × 4 KB) stays in L1, all rows in L2. */
    private static final int KB = 1024;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Whether an m×n×k product is better done here than by {@link Gemm}: at most 1024 outputs, each a sum
     * of at least sixteen times as many terms as there are outputs (conv1's weight gradient at batch 64:
     * 288 outputs of 43,264 terms: 0.63 ms by GEMM, 0.29 ms here, `bench/run DotsBench`).
     */
    public static boolean suits(int m, int n, int k) {
        long outputs = (long) m * n;
        return outputs <= 1024 && k >= 16 * outputs;
    }

    /**
     * c[i·ldc + j] (+)= Σ_p a[aOff + i·lda + p]·b[bOff + j·ldb + p] for i &lt; m, j &lt; n, p &lt; k, in the order of
     * the class comment; on the calling thread.
     */
    public static void rows(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        if (!VECTOR) {
            reference(m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
            return;
        }
        if (m == 1) {
            oneRow(n, k, k, 0, a, aOff, b, bOff, ldb, accumulate, c, cOff);
            return;
        }
        int kv = k / LANES * LANES;
        float[] lanes = SCRATCH.get();
        if (lanes.length < m * n * LANES) {
            lanes = new float[m * n * LANES];
            SCRATCH.set(lanes);
        }
        // Lane partials of element (i, j) wait at lanes[(i·n + j)·16] between blocks of p: stored as the
        // floats the registers held, so the chains go on exactly.
        for (int p0 = 0; p0 < kv; p0 += KB) {
            int p1 = Math.min(kv, p0 + KB);
            for (int i0 = 0; i0 < m; i0 += 4) {
                for (int j0 = 0; j0 < n; j0 += 3) {
                    tile(a, aOff, lda, Math.min(4, m - i0), i0, b, bOff, ldb, Math.min(3, n - j0), j0, n,
                            p0, p1, p0 > 0, lanes);
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                if (kv > 0) {
                    int at = (i * n + j) * LANES;
                    s = lanes[at];
                    for (int l = 1; l < LANES; l++) {
                        s += lanes[at + l];
                    }
                }
                for (int p = kv; p < k; p++) {
                    s = Math.fma(a[aOff + i * lda + p], b[bOff + j * ldb + p], s);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /**
     * Rows i0 .. i0+rows of A against rows j0 .. j0+cols of B over p in [p0, p1): twelve lane-partial
     * vectors, rows and columns past the edge clamped to the last real one (they recompute its values).
     */
    private static void tile(float[] a, int aOff, int lda, int rows, int i0, float[] b, int bOff, int ldb,
                             int cols, int j0, int n, int p0, int p1, boolean load, float[] lanes) {
        int a0 = aOff + i0 * lda;
        int a1 = aOff + (i0 + Math.min(1, rows - 1)) * lda;
        int a2 = aOff + (i0 + Math.min(2, rows - 1)) * lda;
        int a3 = aOff + (i0 + Math.min(3, rows - 1)) * lda;
        int b0 = bOff + j0 * ldb;
        int b1 = bOff + (j0 + Math.min(1, cols - 1)) * ldb;
        int b2 = bOff + (j0 + Math.min(2, cols - 1)) * ldb;
        int r0 = i0 * n + j0;
        int r1 = (i0 + Math.min(1, rows - 1)) * n + j0;
        int r2 = (i0 + Math.min(2, rows - 1)) * n + j0;
        int r3 = (i0 + Math.min(3, rows - 1)) * n + j0;
        int q1 = Math.min(1, cols - 1);
        int q2 = Math.min(2, cols - 1);
        FloatVector s00 = start(lanes, r0, load), s01 = start(lanes, r0 + q1, load), s02 = start(lanes, r0 + q2, load);
        FloatVector s10 = start(lanes, r1, load), s11 = start(lanes, r1 + q1, load), s12 = start(lanes, r1 + q2, load);
        FloatVector s20 = start(lanes, r2, load), s21 = start(lanes, r2 + q1, load), s22 = start(lanes, r2 + q2, load);
        FloatVector s30 = start(lanes, r3, load), s31 = start(lanes, r3 + q1, load), s32 = start(lanes, r3 + q2, load);
        for (int p = p0; p < p1; p += LANES) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00); s01 = x.fma(y1, s01); s02 = x.fma(y2, s02);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10); s11 = x.fma(y1, s11); s12 = x.fma(y2, s12);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20); s21 = x.fma(y1, s21); s22 = x.fma(y2, s22);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = x.fma(y0, s30); s31 = x.fma(y1, s31); s32 = x.fma(y2, s32);
        }
        s00.intoArray(lanes, r0 * LANES); s01.intoArray(lanes, (r0 + q1) * LANES); s02.intoArray(lanes, (r0 + q2) * LANES);
        s10.intoArray(lanes, r1 * LANES); s11.intoArray(lanes, (r1 + q1) * LANES); s12.intoArray(lanes, (r1 + q2) * LANES);
        s20.intoArray(lanes, r2 * LANES); s21.intoArray(lanes, (r2 + q1) * LANES); s22.intoArray(lanes, (r2 + q2) * LANES);
        s30.intoArray(lanes, r3 * LANES); s31.intoArray(lanes, (r3 + q1) * LANES); s32.intoArray(lanes, (r3 + q2) * LANES);
    }

    /** Rows of B at a time in {@link #oneRow}: eight lane chains in registers, one load of A for all. */
    private static final int ROWS = 8;

    /**
     * {@link #rows} of one row of A against the n rows of a B stored in panels of {@code width} columns
     * (Parameter#storeInPanels: element (j, p) at bOff + (p / width)·n·width + j·width + p % width), the same
     * bits as {@code rows(1, n, k, ...)} over B stored row by row: a batch of one's input gradient through a
     * weight in panels. k is whole panels, width whole vectors.
     */
    public static void rowInPanels(int n, int k, int width, float[] a, int aOff, float[] b, int bOff,
                                   boolean accumulate, float[] c, int cOff) {
        if (width % LANES != 0 || k % width != 0) {
            throw new IllegalArgumentException("k " + k + " in panels of " + width + ": not whole vectors of " + LANES);
        }
        if (!VECTOR) {
            float[] rows = new float[n * k]; // the fallback: B row by row
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    rows[j * k + p] = b[bOff + p / width * n * width + j * width + p % width];
                }
            }
            reference(1, n, k, a, aOff, k, rows, 0, k, accumulate, c, cOff, n);
            return;
        }
        oneRow(n, k, width, n * width, a, aOff, b, bOff, width, accumulate, c, cOff);
    }

    /**
     * {@link #rows} for one row of A (a batch of one's input gradient, dx[in] = dy[out]·Wᵀ, W stored [in, out]):
     * ROWS rows of B against A at once over all of p, each row of B read once. The 4×3 tiles would compute
     * the one row four times, and sum each element's lanes in a chain of its own: 256×128 took 6 µs there,
     * 9 µs through Gemm (which transposes B for its chains), 3 µs here. B's rows may be cut into segments of
     * {@code seg} elements, {@code segStride} apart (panels; a whole multiple of 16 unless one segment).
     */
    private static void oneRow(int n, int k, int seg, int segStride, float[] a, int aOff, float[] b, int bOff,
                               int ldb, boolean accumulate, float[] c, int cOff) {
        int kv = k / LANES * LANES;
        float[] lanes = SCRATCH.get();
        int sums = ROWS * LANES; // the rows' sums wait at lanes[sums + r]
        if (lanes.length < sums + ROWS) {
            lanes = new float[sums + ROWS];
            SCRATCH.set(lanes);
        }
        for (int j0 = 0; j0 < n; j0 += ROWS) {
            int rows = Math.min(ROWS, n - j0);
            if (kv > 0) {
                laneSums(a, aOff, b, bOff + j0 * ldb, ldb, rows, kv, seg, segStride, lanes);
            }
            if (kv > 0 && rows == ROWS) {
                addLanes(lanes, sums);
            } else {
                for (int r = 0; r < rows; r++) {
                    lanes[sums + r] = kv > 0 ? lanes[r * LANES] : 0f;
                }
                for (int l = 1; kv > 0 && l < LANES; l++) {
                    for (int r = 0; r < rows; r++) {
                        lanes[sums + r] += lanes[r * LANES + l];
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int row = bOff + (j0 + r) * ldb; // the tail only when B is one segment
                float t = lanes[sums + r];
                for (int p = kv; p < k; p++) {
                    t = Math.fma(a[aOff + p], b[row + p], t);
                }
                int ci = cOff + j0 + r;
                c[ci] = accumulate ? c[ci] + t : t;
            }
        }
    }

    /**
     * lanes[sums + r] = l0 + l1 + ... + l15 of row r's partials (lanes[r·16 + l]) for the ROWS rows, the
     * rows' chains side by side in registers: summed through the array, each add waited for the last one's
     * store (256×128: 4.5 µs against 3).
     */
    private static void addLanes(float[] lanes, int sums) {
        float s0 = lanes[0], s1 = lanes[LANES], s2 = lanes[2 * LANES], s3 = lanes[3 * LANES];
        float s4 = lanes[4 * LANES], s5 = lanes[5 * LANES], s6 = lanes[6 * LANES], s7 = lanes[7 * LANES];
        for (int l = 1; l < LANES; l++) {
            s0 += lanes[l];
            s1 += lanes[LANES + l];
            s2 += lanes[2 * LANES + l];
            s3 += lanes[3 * LANES + l];
            s4 += lanes[4 * LANES + l];
            s5 += lanes[5 * LANES + l];
            s6 += lanes[6 * LANES + l];
            s7 += lanes[7 * LANES + l];
        }
        lanes[sums] = s0;
        lanes[sums + 1] = s1;
        lanes[sums + 2] = s2;
        lanes[sums + 3] = s3;
        lanes[sums + 4] = s4;
        lanes[sums + 5] = s5;
        lanes[sums + 6] = s6;
        lanes[sums + 7] = s7;
    }

    /**
     * The sixteen lane partials of rows [0, rows) of B (from bRow, ldb apart) against A over p in [0, kv),
     * stored at lanes[r·16]; rows past the last real one repeat it.
     */
    private static void laneSums(float[] a, int aOff, float[] b, int bRow, int ldb, int rows, int kv, int seg,
                                 int segStride, float[] lanes) {
        int b0 = bRow;
        int b1 = bRow + Math.min(1, rows - 1) * ldb;
        int b2 = bRow + Math.min(2, rows - 1) * ldb;
        int b3 = bRow + Math.min(3, rows - 1) * ldb;
        int b4 = bRow + Math.min(4, rows - 1) * ldb;
        int b5 = bRow + Math.min(5, rows - 1) * ldb;
        int b6 = bRow + Math.min(6, rows - 1) * ldb;
        int b7 = bRow + Math.min(7, rows - 1) * ldb;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int p = 0, q = 0; p < kv; p += LANES, q += LANES) {
            if (q == seg) { // the next segment of the rows
                q = 0;
                b0 += segStride - seg;
                b1 += segStride - seg;
                b2 += segStride - seg;
                b3 += segStride - seg;
                b4 += segStride - seg;
                b5 += segStride - seg;
                b6 += segStride - seg;
                b7 += segStride - seg;
            }
            FloatVector x = FloatVector.fromArray(S, a, aOff + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
            s4 = x.fma(FloatVector.fromArray(S, b, b4 + p), s4);
            s5 = x.fma(FloatVector.fromArray(S, b, b5 + p), s5);
            s6 = x.fma(FloatVector.fromArray(S, b, b6 + p), s6);
            s7 = x.fma(FloatVector.fromArray(S, b, b7 + p), s7);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, LANES);
        s2.intoArray(lanes, 2 * LANES);
        s3.intoArray(lanes, 3 * LANES);
        s4.intoArray(lanes, 4 * LANES);
        s5.intoArray(lanes, 5 * LANES);
        s6.intoArray(lanes, 6 * LANES);
        s7.intoArray(lanes, 7 * LANES);
    }

    private static FloatVector start(float[] lanes, int element, boolean load) {
        return load ? FloatVector.fromArray(S, lanes, element * LANES) : FloatVector.zero(S);
    }

    /** {@link #rows} element by element, in the order of the class comment: its test oracle and fallback. */
    public static void reference(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 boolean accumulate, float[] c, int cOff, int ldc) {
        int kv = k / LANES * LANES;
        float[] lane = new float[LANES];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                java.util.Arrays.fill(lane, 0f);
                for (int p = 0; p < kv; p++) {
                    lane[p % LANES] = Math.fma(a[aOff + i * lda + p], b[bOff + j * ldb + p], lane[p % LANES]);
                }
                float s = 0f;
                if (kv > 0) {
                    s = lane[0];
                    for (int l = 1; l < LANES; l++) {
                        s += lane[l];
                    }
                }
                for (int p = kv; p < k; p++) {
                    s = Math.fma(a[aOff + i * lda + p], b[bOff + j * ldb + p], s);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
