package org.epochal.kernel;

/**
 * The one matrix multiply every layer calls: C = op(A)·op(B), or C += op(A)·op(B).
 *
 * <p>op(A) is m×k, op(B) is k×n, C is m×n; all row-major with leading dimensions lda, ldb, ldc, starting
 * at the given offsets. op(X) = Xᵀ when trans is set (then X is stored k×m or n×k). C must not alias A or B.
 *
 * <p>Every element is c[i][j] = (start + a[i][0]·b[0][j]) + a[i][1]·b[1][j] + ... summed in p order in
 * float, where start is 0 or the old c[i][j]: exactly what {@link GemmReference} computes, so the two
 * agree bit for bit, for any split across threads (rows or columns are split, never p).
 * Tuning (packing, Vector API micro-kernels) belongs here and nowhere else.
 */
public final class Gemm {
    private Gemm() {
    }

    // Blocking: a KB×NB panel of B stays in L2 while row blocks of C sweep over it.
    private static final int KB = 256;
    private static final int NB = 512;

    public static void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        float[] bb = b;
        int bbOff = bOff;
        int bbLd = ldb;
        if (transB) {
            // Pack Bᵀ (stored n×k) into a k×n row-major panel so the inner loop runs along contiguous j.
            float[] packed = par.scratch(k * n);
            int cols = n;
            par.forEach(Parallel.chunks(k, 64), t -> {
                int p1 = Math.min(k, (t + 1) * 64);
                for (int p = t * 64; p < p1; p++) {
                    int dst = p * cols;
                    for (int j = 0; j < cols; j++) {
                        packed[dst + j] = b[bOff + j * ldb + p];
                    }
                }
            });
            bb = packed;
            bbOff = 0;
            bbLd = n;
        }
        final float[] bf = bb;
        final int bfOff = bbOff;
        final int bfLd = bbLd;
        int threads = par.threads();
        if (m >= 4 * threads || m >= n) {
            int rowsPerTask = Math.max(4, ((m + 4 * threads - 1) / (4 * threads) + 3) & ~3);
            par.forEach(Parallel.chunks(m, rowsPerTask), t -> {
                int i0 = t * rowsPerTask;
                int i1 = Math.min(m, i0 + rowsPerTask);
                block(transA, i0, i1, 0, n, k, a, aOff, lda, bf, bfOff, bfLd, accumulate, c, cOff, ldc);
            });
        } else {
            int colsPerTask = Math.max(16, ((n + 2 * threads - 1) / (2 * threads) + 15) & ~15);
            par.forEach(Parallel.chunks(n, colsPerTask), t -> {
                int j0 = t * colsPerTask;
                int j1 = Math.min(n, j0 + colsPerTask);
                block(transA, 0, m, j0, j1, k, a, aOff, lda, bf, bfOff, bfLd, accumulate, c, cOff, ldc);
            });
        }
    }

    /** C[i0:i1, j0:j1] over all k, B already in k×n row-major form. */
    private static void block(boolean transA, int i0, int i1, int j0, int j1, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              boolean accumulate, float[] c, int cOff, int ldc) {
        // a(i, p) = transA ? a[aOff + p*lda + i] : a[aOff + i*lda + p]
        int strideI = transA ? 1 : lda;
        int strideP = transA ? lda : 1;
        for (int jb = j0; jb < j1; jb += NB) {
            int je = Math.min(j1, jb + NB);
            if (!accumulate) {
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc + jb, cOff + i * ldc + je, 0f);
                }
            }
            for (int pb = 0; pb < k; pb += KB) {
                int pe = Math.min(k, pb + KB);
                int i = i0;
                for (; i + 4 <= i1; i += 4) {
                    rows4(i, jb, je, pb, pe, a, aOff + i * strideI, strideI, strideP, b, bOff, ldb, c, cOff, ldc);
                }
                for (; i < i1; i++) {
                    row1(i, jb, je, pb, pe, a, aOff + i * strideI, strideP, b, bOff, ldb, c, cOff, ldc);
                }
            }
        }
    }

    private static void rows4(int i, int jb, int je, int pb, int pe, float[] a, int aRow, int strideI, int strideP,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int c0 = cOff + i * ldc;
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        for (int p = pb; p < pe; p++) {
            int ap = aRow + p * strideP;
            float a0 = a[ap];
            float a1 = a[ap + strideI];
            float a2 = a[ap + 2 * strideI];
            float a3 = a[ap + 3 * strideI];
            int bRow = bOff + p * ldb;
            for (int j = jb; j < je; j++) {
                float bv = b[bRow + j];
                c[c0 + j] += a0 * bv;
                c[c1 + j] += a1 * bv;
                c[c2 + j] += a2 * bv;
                c[c3 + j] += a3 * bv;
            }
        }
    }

    private static void row1(int i, int jb, int je, int pb, int pe, float[] a, int aRow, int strideP,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int c0 = cOff + i * ldc;
        for (int p = pb; p < pe; p++) {
            float a0 = a[aRow + p * strideP];
            int bRow = bOff + p * ldb;
            for (int j = jb; j < je; j++) {
                c[c0 + j] += a0 * b[bRow + j];
            }
        }
    }
}
