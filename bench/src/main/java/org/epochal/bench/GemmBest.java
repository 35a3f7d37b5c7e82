package org.epochal.bench;

import java.util.Locale;
import org.epochal.kernel.Gemm;
import org.epochal.kernel.Parallel;

/**
 * The GEMM shapes of {@code bench/openblas_gemm.py}, measured the same way (best of 6 rounds of about 2
 * GFLOP each, after a warm-up), for a like-for-like table beside OpenBLAS; JMH's GemmBench gives means
 * with error bars instead. {@code bench/run-main GemmBest [threads] [shapes...]}.
 */
public final class GemmBest {
    private GemmBest() {
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        String[] shapes = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"64x256x784:NT", "256x784x64:TN", "64x784x256:NN", "512x256x784:NN",
                    "784x256x512:TN", "7744x64x288:NT", "1024x1024x1024:NN"};
        Gemm.awaitWarmUp(30_000);
        try (Parallel par = new Parallel(threads)) {
            for (String shape : shapes) {
                String[] parts = shape.split(":");
                String[] d = parts[0].split("x");
                int m = Integer.parseInt(d[0]);
                int n = Integer.parseInt(d[1]);
                int k = Integer.parseInt(d[2]);
                boolean ta = parts[1].charAt(0) == 'T';
                boolean tb = parts[1].charAt(1) == 'T';
                float[] a = GemmBench.random(m * k, 1);
                float[] b = GemmBench.random(k * n, 2);
                float[] c = new float[m * n];
                int calls = (int) Math.max(3, 2e9 / (2.0 * m * n * k));
                double best = 0;
                for (int round = 0; round < 12; round++) { // the first 6 rounds warm up
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        Gemm.gemm(par, ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, false, c, 0, n);
                    }
                    double gflops = 2.0 * m * n * k * calls / (System.nanoTime() - start);
                    if (round >= 6) {
                        best = Math.max(best, gflops);
                    }
                }
                System.out.printf(Locale.ROOT, "%20s %8.1f GFLOP/s%n", shape, best);
            }
        }
    }
}
