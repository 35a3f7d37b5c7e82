package org.epochal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise loops whose plain-Java form compiles to a branch per element: with real data the branch is
 * unpredictable (a ReLU's sign pattern), and the loop ran 4–7 times slower than this vector select. Each
 * element gets exactly the scalar expression's value, so the vector and scalar paths give the same bits.
 */
public final class Elementwise {
    private Elementwise() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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

    /** Compiles the loops before training needs them (see {@link Gemm#warmUpInBackground()}). */
    static void warmUp() {
        float[] x = new float[80];
        float[] y = new float[80];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) - 2f;
        }
        for (int i = 0; i < 20_000; i++) {
            positiveMask(x, x, y, i & 7, 80);
            positiveOrScaled(x, y, 0.01f, y, i & 7, 80);
        }
    }
}
