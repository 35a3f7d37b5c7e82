package org.epochal.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What it costs one core to write an array, by where its cache lines last were: its own (private), read by
 * the other core (both then hold them shared), or written by the other core (which then holds them alone).
 * On a machine whose two vCPUs sit on different dies, the second is the slow one: a store to a line the
 * other die holds shared waits for the other copy to be invalidated, and hardware prefetch does not start
 * that ahead. {@code bench/run-main CrossDie [KB...]}: median µs of 300 rounds per size.
 */
public final class CrossDie {
    private CrossDie() {
    }

    private static volatile int phase;
    private static volatile int sink;

    public static void main(String[] args) throws InterruptedException {
        int[] sizes = args.length == 0 ? new int[] {400, 1024} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int kb : sizes) {
            int[] data = new int[kb * 256];
            double[] times = measure(data, 300);
            System.out.printf(Locale.ROOT, "%5d KB: private %.1f µs, read by the other core %.1f µs, written by it %.1f µs%n",
                    kb, times[0], times[1], times[2]);
        }
    }

    /** Medians of the three writes; the other core reads (odd phases) or writes (even phases) on request. */
    private static double[] measure(int[] data, int rounds) throws InterruptedException {
        phase = 0;
        Thread other = new Thread(() -> {
            int seen = 0;
            while (true) {
                int p = phase;
                if (p < 0) {
                    return;
                }
                if (p != seen && p % 2 == 1) {
                    if ((p / 2) % 2 == 0) {
                        sink += read(data);
                    } else {
                        write(data, p);
                    }
                    seen = p;
                    phase = p + 1;
                }
                Thread.onSpinWait();
            }
        });
        other.start();
        long[][] nanos = new long[3][rounds];
        int p = 1;
        for (int r = 0; r < 2 * rounds; r++) {
            boolean measured = r >= rounds; // the first rounds warm up
            for (int kind = 1; kind <= 2; kind++) {
                phase = p; // kind 1: the other core reads; kind 2: it writes (p / 2 alternates)
                while (phase == p) {
                    Thread.onSpinWait();
                }
                p += 2;
                long start = System.nanoTime();
                write(data, r);
                long time = System.nanoTime() - start;
                if (measured) {
                    nanos[kind][r - rounds] = time;
                }
            }
            long start = System.nanoTime();
            write(data, r + 1); // lines this core wrote last: private
            if (measured) {
                nanos[0][r - rounds] = System.nanoTime() - start;
            }
        }
        phase = -1;
        other.join();
        double[] medians = new double[3];
        for (int k = 0; k < 3; k++) {
            Arrays.sort(nanos[k]);
            medians[k] = nanos[k][rounds / 2] / 1e3;
        }
        return medians;
    }

    private static void write(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            a[i] = v;
        }
    }

    /** Touches every cache line (16 ints). */
    private static int read(int[] a) {
        int s0 = 0;
        int s1 = 0;
        for (int i = 0; i + 16 < a.length; i += 32) {
            s0 += a[i];
            s1 += a[i + 16];
        }
        return s0 + s1;
    }
}
