package org.epochal.bench;

import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.epochal.kernel.AdamUpdate;

/**
 * What bounds Adam's update of a weight whose gradient is an outer product (a batch of one): the kernel
 * ({@code AdamUpdate.adamOuter}) beside two stripped copies of its loop, one without the square root and
 * the division, one with only its loads and stores (and an add each, so nothing is optimised away). When the
 * stripped copies take as long as the kernel, moving the weight and its two moments bounds it, not its
 * arithmetic. {@code bench/run-main AdamFloor [INxOUT...]}: cycles per 16 weights at the given GHz
 * ({@code -Dghz=3.5}, the Zen 4 machine's boost), best of 8 rounds of 2,000 updates.
 */
public final class AdamFloor {
    private AdamFloor() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    public static void main(String[] args) {
        double ghz = Double.parseDouble(System.getProperty("ghz", "3.5"));
        String[] shapes = args.length == 0 ? new String[] {"784x256", "256x128"} : args;
        for (String shape : shapes) {
            String[] d = shape.split("x");
            int in = Integer.parseInt(d[0]);
            int out = Integer.parseInt(d[1]);
            int n = in * out;
            Random random = new Random(1);
            float[] p = new float[n];
            float[] m = new float[n];
            float[] v = new float[n];
            float[] left = new float[in];
            float[] right = new float[out];
            for (int i = 0; i < n; i++) {
                p[i] = random.nextFloat() - 0.5f;
                m[i] = (random.nextFloat() - 0.5f) * 1e-3f;
                v[i] = random.nextFloat() * 1e-6f + 1e-7f;
            }
            for (int i = 0; i < in; i++) {
                left[i] = random.nextFloat();
            }
            for (int i = 0; i < out; i++) {
                right[i] = (random.nextFloat() - 0.5f) * 1e-2f;
            }
            // β1, β2, 1 − β1, 1 − β2, eps, weight decay, decay, step size, 1/√(1 − β2ᵗ), gradient scale
            // (AdamUpdate's order)
            float[] k = {0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 0f, 1f, 1e-7f, 3f, 1f};
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int round = 0; round < 8; round++) {
                for (int variant = 0; variant < 3; variant++) {
                    long t0 = System.nanoTime();
                    for (int r = 0; r < 2000; r++) {
                        switch (variant) {
                            case 0 -> AdamUpdate.adamOuter(p, left, right, m, v, 0, n, k);
                            case 1 -> withoutRoots(p, left, right, m, v, n, k);
                            default -> loadsAndStores(p, left, right, m, v, n);
                        }
                    }
                    best[variant] = Math.min(best[variant], (System.nanoTime() - t0) / 2000.0);
                }
            }
            double per16 = ghz / (n / 16.0);
            System.out.printf(Locale.ROOT, "%s: kernel %.1f µs (%.1f cycles/16), without sqrt and div %.1f µs (%.1f),"
                    + " loads and stores only %.1f µs (%.1f)%n", shape, best[0] / 1e3, best[0] * per16,
                    best[1] / 1e3, best[1] * per16, best[2] / 1e3, best[2] * per16);
        }
    }

    /** The kernel's loop with √v and the division left out (the step is m times the denominator). */
    private static void withoutRoots(float[] p, float[] left, float[] right, float[] m, float[] v, int n, float[] k) {
        int cols = right.length;
        int r = 0;
        int c = 0;
        FloatVector av = FloatVector.broadcast(S, left[0]);
        for (int i = 0; i < n; i += L) {
            FloatVector g = av.mul(FloatVector.fromArray(S, right, c));
            FloatVector w = FloatVector.fromArray(S, p, i);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(k[0]).add(g.mul(k[2]));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(k[1]).add(g.mul(g).mul(k[3]));
            mi = mi.blend(0f, mi.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
            vi = vi.blend(0f, vi.compare(VectorOperators.LT, Float.MIN_NORMAL));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            w.sub(mi.mul(vi.mul(k[8]).add(k[4])).mul(k[7])).intoArray(p, i);
            c += L;
            if (c == cols && i + L < n) {
                c = 0;
                av = FloatVector.broadcast(S, left[++r]);
            }
        }
    }

    /** The kernel's loads and stores, with one add each in between. */
    private static void loadsAndStores(float[] p, float[] left, float[] right, float[] m, float[] v, int n) {
        int cols = right.length;
        int r = 0;
        int c = 0;
        FloatVector av = FloatVector.broadcast(S, left[0]);
        for (int i = 0; i < n; i += L) {
            FloatVector g = av.mul(FloatVector.fromArray(S, right, c));
            FloatVector.fromArray(S, m, i).add(g).intoArray(m, i);
            FloatVector.fromArray(S, v, i).sub(g).intoArray(v, i);
            FloatVector.fromArray(S, p, i).add(g).intoArray(p, i);
            c += L;
            if (c == cols && i + L < n) {
                c = 0;
                av = FloatVector.broadcast(S, left[++r]);
            }
        }
    }
}
