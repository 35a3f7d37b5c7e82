package org.epochal.kernel;

import java.util.Arrays;

/**
 * The one matrix multiply every layer calls: C = op(A)·op(B), or C += op(A)·op(B).
 *
 * <p>op(A) is m×k, op(B) is k×n, C is m×n; all row-major with leading dimensions lda, ldb, ldc, starting
 * at the given offsets. op(X) = Xᵀ when trans is set (then X is stored k×m or n×k). C must not alias A or B.
 *
 * <p>Every element is one fused multiply-add chain in p order, c = fma(a[i][p], b[p][j], c) for
 * p = 0, 1, ..., k−1, starting from +0 or (accumulate) the old c[i][j]: exactly what {@link GemmReference}
 * computes, so the two agree bit for bit. The chain of an element does not depend on the thread count,
 * on m, on the other rows (a sample's output ignores its batch neighbours) nor on where the element falls
 * in a tile: threads split rows or columns, never p.
 *
 * <p>The fast path ({@link GemmPlan}, {@link GemmKernels}) needs the JVM flag
 * {@code --add-modules jdk.incubator.vector}; without it the same chains run as plain scalar loops.
 */
public final class Gemm {
    private Gemm() {
    }

    /** Whether the Vector API is there (the JVM was started with --add-modules jdk.incubator.vector). */
    public static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    public static void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        if (VECTORIZED) {
            Workspace ws = par.workspace();
            ws.gemm().run(par, ws, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
        } else {
            scalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
        }
    }

    /** The same chains without the Vector API: row by row, p outer so B is read along its rows. */
    private static void scalar(boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               boolean accumulate, float[] c, int cOff, int ldc) {
        int ars = transA ? 1 : lda;
        int aps = transA ? lda : 1;
        int bps = transB ? 1 : ldb;
        int bjs = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (!accumulate) {
                Arrays.fill(c, row, row + n, 0f);
            }
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * ars + p * aps];
                int bp = bOff + p * bps;
                for (int j = 0; j < n; j++) {
                    c[row + j] = Math.fma(av, b[bp + j * bjs], c[row + j]);
                }
            }
        }
    }
}
