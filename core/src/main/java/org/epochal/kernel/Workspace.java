package org.epochal.kernel;

/**
 * What kernels reuse from call to call on one caller thread: a growable float scratch and the GEMM call
 * state. Owned by a {@link Parallel}; tasks of one call may share it by writing disjoint regions.
 */
final class Workspace {
    private float[] floats = new float[0];
    private GemmPlan gemm;

    /** A scratch array of at least {@code size} floats (grown, never shrunk). */
    float[] floats(long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("GEMM scratch of " + size + " floats exceeds a Java array");
        }
        if (floats.length < size) {
            floats = new float[(int) size];
        }
        return floats;
    }

    GemmPlan gemm() {
        if (gemm == null) {
            gemm = new GemmPlan();
        }
        return gemm;
    }
}
