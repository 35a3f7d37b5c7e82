package org.epochal.kernel;

/**
 * The plain scalar twin of {@link Gemm}, its test oracle: same arguments, same result bit for bit
 * (each element one fma chain in p order, s = fma(a, b, s), starting from +0 or the old value).
 */
public final class GemmReference {
    private GemmReference() {
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * ldc + j] : 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s = Math.fma(av, bv, s);
                }
                c[cOff + i * ldc + j] = s;
            }
        }
    }
}
