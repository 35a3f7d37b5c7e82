package org.epochal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two register-blocked micro-kernels of {@link Gemm}: 24 vector accumulators that stay in registers
 * while p runs, each lane one output element, updated as acc = fma(a(i,p), b(p,j), acc) in p order: the
 * same chain as {@link GemmReference}, whatever tile or lane an element falls in.
 *
 * <p>L = lanes per vector (16 floats with AVX-512). Rows or columns past the edge of C are clamped to the
 * last real one: the duplicate computes the same chain from the same start and stores the same bits, so
 * no edge path with other arithmetic is needed. Vector memory accesses are never masked (a masked access
 * near an array's end leaves the intrinsics in JDK 25, hundreds of times slower): the right edge of C goes
 * through a scratch tile instead.
 */
final class GemmKernels {
    private GemmKernels() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of the j-lanes tile (and columns of the i-lanes tile). */
    static final int R = 6;
    /** Vectors per tile along the lane direction: a tile is R × 4L (j-lanes) or 4L × R (i-lanes). */
    static final int W = 4 * L;

    /**
     * j-lanes tile: C[i0+r, j0 .. j0+W) for r < 6, lanes along j, over p in [0, kc).
     * a(r, p) = a[aBase + r·ars + p·aps] for r < rows (clamped beyond); b(p, j0+jj) = bp[bIdx + p·bps + jj]
     * (a packed panel, bps = W, zeros past n; or B's own rows, bps = ldb); C(r, j0+jj) = c[cBase + r·ldc + jj],
     * all W columns (the caller passes a scratch tile at the right edge of C). Starts from C when {@code load}, else from +0.
     */
    static void tileJ(int kc, float[] a, int aBase, int ars, int aps, int rows, float[] bp, int bIdx, int bps,
                      float[] c, int cBase, int ldc, boolean load) {
        int last = rows - 1;
        int a0 = aBase;
        int a1 = aBase + Math.min(1, last) * ars;
        int a2 = aBase + Math.min(2, last) * ars;
        int a3 = aBase + Math.min(3, last) * ars;
        int a4 = aBase + Math.min(4, last) * ars;
        int a5 = aBase + Math.min(5, last) * ars;
        int r0 = cBase;
        int r1 = cBase + Math.min(1, last) * ldc;
        int r2 = cBase + Math.min(2, last) * ldc;
        int r3 = cBase + Math.min(3, last) * ldc;
        int r4 = cBase + Math.min(4, last) * ldc;
        int r5 = cBase + Math.min(5, last) * ldc;
        int o1 = L;
        int o2 = 2 * L;
        int o3 = 3 * L;
        FloatVector c00 = start(c, r0, load), c01 = start(c, r0 + o1, load);
        FloatVector c02 = start(c, r0 + o2, load), c03 = start(c, r0 + o3, load);
        FloatVector c10 = start(c, r1, load), c11 = start(c, r1 + o1, load);
        FloatVector c12 = start(c, r1 + o2, load), c13 = start(c, r1 + o3, load);
        FloatVector c20 = start(c, r2, load), c21 = start(c, r2 + o1, load);
        FloatVector c22 = start(c, r2 + o2, load), c23 = start(c, r2 + o3, load);
        FloatVector c30 = start(c, r3, load), c31 = start(c, r3 + o1, load);
        FloatVector c32 = start(c, r3 + o2, load), c33 = start(c, r3 + o3, load);
        FloatVector c40 = start(c, r4, load), c41 = start(c, r4 + o1, load);
        FloatVector c42 = start(c, r4 + o2, load), c43 = start(c, r4 + o3, load);
        FloatVector c50 = start(c, r5, load), c51 = start(c, r5 + o1, load);
        FloatVector c52 = start(c, r5 + o2, load), c53 = start(c, r5 + o3, load);
        for (int p = 0; p < kc; p++) {
            int bi = bIdx + p * bps;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + o1);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + o2);
            FloatVector b3 = FloatVector.fromArray(S, bp, bi + o3);
            int ap = p * aps;
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + ap]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + ap]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        // Every load above happened before any store here, so clamped duplicate rows store equal bits.
        c00.intoArray(c, r0); c01.intoArray(c, r0 + o1); c02.intoArray(c, r0 + o2); c03.intoArray(c, r0 + o3);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + o1); c12.intoArray(c, r1 + o2); c13.intoArray(c, r1 + o3);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + o1); c22.intoArray(c, r2 + o2); c23.intoArray(c, r2 + o3);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + o1); c32.intoArray(c, r3 + o2); c33.intoArray(c, r3 + o3);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + o1); c42.intoArray(c, r4 + o2); c43.intoArray(c, r4 + o3);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + o1); c52.intoArray(c, r5 + o2); c53.intoArray(c, r5 + o3);
    }


    /**
     * i-lanes tile: Cᵀ[j0+r, i0 .. i0+W) for r < 6, lanes along i, over p in [0, k). a(i0+ii, p) =
     * ap[aIdx + p·W + ii] (a packed panel, zeros past m); b(p, j0+r) = b[bBase + r·bjs + p·bps] for
     * r < cols (clamped beyond). The result goes to ct[ctBase + r·ldct + ii], a transposed scratch of C,
     * starting from it when {@code load}, else from +0.
     */
    static void tileI(int k, float[] ap, int aIdx, float[] b, int bBase, int bjs, int bps, int cols,
                      float[] ct, int ctBase, int ldct, boolean load) {
        int last = cols - 1;
        int b0 = bBase;
        int b1 = bBase + Math.min(1, last) * bjs;
        int b2 = bBase + Math.min(2, last) * bjs;
        int b3 = bBase + Math.min(3, last) * bjs;
        int b4 = bBase + Math.min(4, last) * bjs;
        int b5 = bBase + Math.min(5, last) * bjs;
        int t0 = ctBase;
        int t1 = ctBase + Math.min(1, last) * ldct;
        int t2 = ctBase + Math.min(2, last) * ldct;
        int t3 = ctBase + Math.min(3, last) * ldct;
        int t4 = ctBase + Math.min(4, last) * ldct;
        int t5 = ctBase + Math.min(5, last) * ldct;
        int o1 = L;
        int o2 = 2 * L;
        int o3 = 3 * L;
        FloatVector c00 = start(ct, t0, load), c01 = start(ct, t0 + o1, load);
        FloatVector c02 = start(ct, t0 + o2, load), c03 = start(ct, t0 + o3, load);
        FloatVector c10 = start(ct, t1, load), c11 = start(ct, t1 + o1, load);
        FloatVector c12 = start(ct, t1 + o2, load), c13 = start(ct, t1 + o3, load);
        FloatVector c20 = start(ct, t2, load), c21 = start(ct, t2 + o1, load);
        FloatVector c22 = start(ct, t2 + o2, load), c23 = start(ct, t2 + o3, load);
        FloatVector c30 = start(ct, t3, load), c31 = start(ct, t3 + o1, load);
        FloatVector c32 = start(ct, t3 + o2, load), c33 = start(ct, t3 + o3, load);
        FloatVector c40 = start(ct, t4, load), c41 = start(ct, t4 + o1, load);
        FloatVector c42 = start(ct, t4 + o2, load), c43 = start(ct, t4 + o3, load);
        FloatVector c50 = start(ct, t5, load), c51 = start(ct, t5 + o1, load);
        FloatVector c52 = start(ct, t5 + o2, load), c53 = start(ct, t5 + o3, load);
        for (int p = 0; p < k; p++) {
            int ai = aIdx + p * W;
            FloatVector v0 = FloatVector.fromArray(S, ap, ai);
            FloatVector v1 = FloatVector.fromArray(S, ap, ai + o1);
            FloatVector v2 = FloatVector.fromArray(S, ap, ai + o2);
            FloatVector v3 = FloatVector.fromArray(S, ap, ai + o3);
            int bp = p * bps;
            FloatVector x = FloatVector.broadcast(S, b[b0 + bp]);
            c00 = v0.fma(x, c00); c01 = v1.fma(x, c01); c02 = v2.fma(x, c02); c03 = v3.fma(x, c03);
            x = FloatVector.broadcast(S, b[b1 + bp]);
            c10 = v0.fma(x, c10); c11 = v1.fma(x, c11); c12 = v2.fma(x, c12); c13 = v3.fma(x, c13);
            x = FloatVector.broadcast(S, b[b2 + bp]);
            c20 = v0.fma(x, c20); c21 = v1.fma(x, c21); c22 = v2.fma(x, c22); c23 = v3.fma(x, c23);
            x = FloatVector.broadcast(S, b[b3 + bp]);
            c30 = v0.fma(x, c30); c31 = v1.fma(x, c31); c32 = v2.fma(x, c32); c33 = v3.fma(x, c33);
            x = FloatVector.broadcast(S, b[b4 + bp]);
            c40 = v0.fma(x, c40); c41 = v1.fma(x, c41); c42 = v2.fma(x, c42); c43 = v3.fma(x, c43);
            x = FloatVector.broadcast(S, b[b5 + bp]);
            c50 = v0.fma(x, c50); c51 = v1.fma(x, c51); c52 = v2.fma(x, c52); c53 = v3.fma(x, c53);
        }
        c00.intoArray(ct, t0); c01.intoArray(ct, t0 + o1); c02.intoArray(ct, t0 + o2); c03.intoArray(ct, t0 + o3);
        c10.intoArray(ct, t1); c11.intoArray(ct, t1 + o1); c12.intoArray(ct, t1 + o2); c13.intoArray(ct, t1 + o3);
        c20.intoArray(ct, t2); c21.intoArray(ct, t2 + o1); c22.intoArray(ct, t2 + o2); c23.intoArray(ct, t2 + o3);
        c30.intoArray(ct, t3); c31.intoArray(ct, t3 + o1); c32.intoArray(ct, t3 + o2); c33.intoArray(ct, t3 + o3);
        c40.intoArray(ct, t4); c41.intoArray(ct, t4 + o1); c42.intoArray(ct, t4 + o2); c43.intoArray(ct, t4 + o3);
        c50.intoArray(ct, t5); c51.intoArray(ct, t5 + o1); c52.intoArray(ct, t5 + o2); c53.intoArray(ct, t5 + o3);
    }

    /**
     * One-row tile: C[0, j0 .. j0+W) over p in [0, kc), a(p) = a[aBase + p·aps], b(p, j0+jj) = b[bIdx +
     * p·bps + jj] (a packed panel, bps = W, or B's own rows), the same chains as {@link #tileJ} without
     * its five duplicate rows (a batch of one).
     */
    static void rowJ(int kc, float[] a, int aBase, int aps, float[] b, int bIdx, int bps,
                     float[] c, int cBase, boolean load) {
        int o1 = L;
        int o2 = 2 * L;
        int o3 = 3 * L;
        FloatVector c0 = start(c, cBase, load), c1 = start(c, cBase + o1, load);
        FloatVector c2 = start(c, cBase + o2, load), c3 = start(c, cBase + o3, load);
        for (int p = 0; p < kc; p++) {
            int bi = bIdx + p * bps;
            FloatVector x = FloatVector.broadcast(S, a[aBase + p * aps]);
            c0 = x.fma(FloatVector.fromArray(S, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bi + o1), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bi + o2), c2);
            c3 = x.fma(FloatVector.fromArray(S, b, bi + o3), c3);
        }
        c0.intoArray(c, cBase); c1.intoArray(c, cBase + o1); c2.intoArray(c, cBase + o2); c3.intoArray(c, cBase + o3);
    }

    /**
     * {@link #rowJ} for one row of at most L columns, B read in place through a lane mask: c[j] = fma chains
     * over p for j &lt; n, the same chains as a packed panel's (a batch of one through a narrow layer, 128×10:
     * packing B into a zero-padded panel of 64 columns every step took 2 µs).
     */
    static void rowNarrow(int k, float[] a, int aBase, int aps, float[] b, int bIdx, int bps, int n, float[] c,
                          int cBase, boolean load) {
        jdk.incubator.vector.VectorMask<Float> lanes = S.indexInRange(0, n);
        FloatVector acc = load ? FloatVector.fromArray(S, c, cBase, lanes) : FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            acc = FloatVector.broadcast(S, a[aBase + p * aps]).fma(FloatVector.fromArray(S, b, bIdx + p * bps, lanes), acc);
        }
        acc.intoArray(c, cBase, lanes);
    }

    private static FloatVector start(float[] c, int at, boolean load) {
        return load ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }

    /** Copies n floats (a multiple of L) from src to dst. */
    static void copy(float[] src, int from, float[] dst, int to, int n) {
        for (int x = 0; x < n; x += L) {
            FloatVector.fromArray(S, src, from + x).intoArray(dst, to + x);
        }
    }

    // Index vectors of the transpose: at stage b (8, 4, 2, 1), rows x = v[i] and y = v[i+b] swap their
    // off-diagonal b-blocks; selectFrom(x, y) reads lane l from x when l < L, else from y at l − L.
    // Constants, not an array: C2 then knows each is a Float512Vector and binds selectFrom statically.
    // Read from an array, they were receivers of unknown class behind a type-profile guard, and once
    // another FloatVector class had reached the Vector API's shared profiles the compiled transpose16
    // boxed its vectors (seen in CI: 120–560 KB allocated a training batch).
    private static final FloatVector LOW8 = keep(8, false), HIGH8 = keep(8, true);
    private static final FloatVector LOW4 = keep(4, false), HIGH4 = keep(4, true);
    private static final FloatVector LOW2 = keep(2, false), HIGH2 = keep(2, true);
    private static final FloatVector LOW1 = keep(1, false), HIGH1 = keep(1, true);

    private static FloatVector keep(int bl, boolean high) {
        float[] lanes = new float[L];
        for (int l = 0; l < L; l++) {
            boolean upper = (l & bl) != 0;
            lanes[l] = high ? (upper ? L + l : l + bl) : (upper ? L + l - bl : l);
        }
        return FloatVector.fromArray(S, lanes, 0);
    }

    /** Whether {@link #transpose16} applies: 16 lanes per vector (AVX-512). */
    static final boolean TRANSPOSE16 = L == 16;

    /**
     * dst[to + q·ldd + r] = src[from + r·lds + q] for r, q < 16: a 16×16 block transposed in registers
     * (4 stages of 16 two-vector permutes), about ten times faster than scalar copies. Needs L = 16.
     */
    static void transpose16(float[] src, int from, int lds, float[] dst, int to, int ldd) {
        FloatVector v0 = FloatVector.fromArray(S, src, from), v1 = FloatVector.fromArray(S, src, from + lds);
        FloatVector v2 = FloatVector.fromArray(S, src, from + 2 * lds), v3 = FloatVector.fromArray(S, src, from + 3 * lds);
        FloatVector v4 = FloatVector.fromArray(S, src, from + 4 * lds), v5 = FloatVector.fromArray(S, src, from + 5 * lds);
        FloatVector v6 = FloatVector.fromArray(S, src, from + 6 * lds), v7 = FloatVector.fromArray(S, src, from + 7 * lds);
        FloatVector v8 = FloatVector.fromArray(S, src, from + 8 * lds), v9 = FloatVector.fromArray(S, src, from + 9 * lds);
        FloatVector v10 = FloatVector.fromArray(S, src, from + 10 * lds), v11 = FloatVector.fromArray(S, src, from + 11 * lds);
        FloatVector v12 = FloatVector.fromArray(S, src, from + 12 * lds), v13 = FloatVector.fromArray(S, src, from + 13 * lds);
        FloatVector v14 = FloatVector.fromArray(S, src, from + 14 * lds), v15 = FloatVector.fromArray(S, src, from + 15 * lds);
        FloatVector lo = LOW8, hi = HIGH8, x;
        x = lo.selectFrom(v0, v8); v8 = hi.selectFrom(v0, v8); v0 = x;
        x = lo.selectFrom(v1, v9); v9 = hi.selectFrom(v1, v9); v1 = x;
        x = lo.selectFrom(v2, v10); v10 = hi.selectFrom(v2, v10); v2 = x;
        x = lo.selectFrom(v3, v11); v11 = hi.selectFrom(v3, v11); v3 = x;
        x = lo.selectFrom(v4, v12); v12 = hi.selectFrom(v4, v12); v4 = x;
        x = lo.selectFrom(v5, v13); v13 = hi.selectFrom(v5, v13); v5 = x;
        x = lo.selectFrom(v6, v14); v14 = hi.selectFrom(v6, v14); v6 = x;
        x = lo.selectFrom(v7, v15); v15 = hi.selectFrom(v7, v15); v7 = x;
        lo = LOW4;
        hi = HIGH4;
        x = lo.selectFrom(v0, v4); v4 = hi.selectFrom(v0, v4); v0 = x;
        x = lo.selectFrom(v1, v5); v5 = hi.selectFrom(v1, v5); v1 = x;
        x = lo.selectFrom(v2, v6); v6 = hi.selectFrom(v2, v6); v2 = x;
        x = lo.selectFrom(v3, v7); v7 = hi.selectFrom(v3, v7); v3 = x;
        x = lo.selectFrom(v8, v12); v12 = hi.selectFrom(v8, v12); v8 = x;
        x = lo.selectFrom(v9, v13); v13 = hi.selectFrom(v9, v13); v9 = x;
        x = lo.selectFrom(v10, v14); v14 = hi.selectFrom(v10, v14); v10 = x;
        x = lo.selectFrom(v11, v15); v15 = hi.selectFrom(v11, v15); v11 = x;
        lo = LOW2;
        hi = HIGH2;
        x = lo.selectFrom(v0, v2); v2 = hi.selectFrom(v0, v2); v0 = x;
        x = lo.selectFrom(v1, v3); v3 = hi.selectFrom(v1, v3); v1 = x;
        x = lo.selectFrom(v4, v6); v6 = hi.selectFrom(v4, v6); v4 = x;
        x = lo.selectFrom(v5, v7); v7 = hi.selectFrom(v5, v7); v5 = x;
        x = lo.selectFrom(v8, v10); v10 = hi.selectFrom(v8, v10); v8 = x;
        x = lo.selectFrom(v9, v11); v11 = hi.selectFrom(v9, v11); v9 = x;
        x = lo.selectFrom(v12, v14); v14 = hi.selectFrom(v12, v14); v12 = x;
        x = lo.selectFrom(v13, v15); v15 = hi.selectFrom(v13, v15); v13 = x;
        lo = LOW1;
        hi = HIGH1;
        x = lo.selectFrom(v0, v1); v1 = hi.selectFrom(v0, v1); v0 = x;
        x = lo.selectFrom(v2, v3); v3 = hi.selectFrom(v2, v3); v2 = x;
        x = lo.selectFrom(v4, v5); v5 = hi.selectFrom(v4, v5); v4 = x;
        x = lo.selectFrom(v6, v7); v7 = hi.selectFrom(v6, v7); v6 = x;
        x = lo.selectFrom(v8, v9); v9 = hi.selectFrom(v8, v9); v8 = x;
        x = lo.selectFrom(v10, v11); v11 = hi.selectFrom(v10, v11); v10 = x;
        x = lo.selectFrom(v12, v13); v13 = hi.selectFrom(v12, v13); v12 = x;
        x = lo.selectFrom(v14, v15); v15 = hi.selectFrom(v14, v15); v14 = x;
        v0.intoArray(dst, to); v1.intoArray(dst, to + ldd); v2.intoArray(dst, to + 2 * ldd); v3.intoArray(dst, to + 3 * ldd);
        v4.intoArray(dst, to + 4 * ldd); v5.intoArray(dst, to + 5 * ldd); v6.intoArray(dst, to + 6 * ldd);
        v7.intoArray(dst, to + 7 * ldd); v8.intoArray(dst, to + 8 * ldd); v9.intoArray(dst, to + 9 * ldd);
        v10.intoArray(dst, to + 10 * ldd); v11.intoArray(dst, to + 11 * ldd); v12.intoArray(dst, to + 12 * ldd);
        v13.intoArray(dst, to + 13 * ldd); v14.intoArray(dst, to + 14 * ldd); v15.intoArray(dst, to + 15 * ldd);
    }

    /**
     * dst[to + q·ldd + r] = src[from + r·lds + q] for r < rows, q < cols: 16×16 blocks in registers where
     * they fit (L = 16), scalar copies for the rest.
     */
    static void transpose(float[] src, int from, int lds, int rows, int cols, float[] dst, int to, int ldd) {
        int r0 = 0;
        if (TRANSPOSE16) {
            int fullCols = cols & ~15;
            for (; r0 + 16 <= rows; r0 += 16) {
                for (int q = 0; q < fullCols; q += 16) {
                    transpose16(src, from + r0 * lds + q, lds, dst, to + q * ldd + r0, ldd);
                }
                for (int r = r0; r < r0 + 16; r++) {
                    for (int q = fullCols; q < cols; q++) {
                        dst[to + q * ldd + r] = src[from + r * lds + q];
                    }
                }
            }
        }
        for (int r = r0; r < rows; r++) {
            int s = from + r * lds;
            for (int q = 0; q < cols; q++) {
                dst[to + q * ldd + r] = src[s + q];
            }
        }
    }
}
