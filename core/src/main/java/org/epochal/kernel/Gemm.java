package org.epochal.kernel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>The kernels ({@link GemmPlan}, {@link GemmKernels}, and the elementwise, sum and optimizer kernels beside
 * them) use the Vector API, so the JVM needs the flag {@code --add-modules jdk.incubator.vector}
 * ({@link #requireVectorApi}).
 */
public final class Gemm {
    private Gemm() {
    }

    /** Whether the Vector API is there (the JVM was started with --add-modules jdk.incubator.vector). */
    public static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** What a JVM without the Vector API is told when it first touches a kernel (when a model is built). */
    static final String NEEDS_VECTOR_API = "Epochal's kernels use the Vector API: start the JVM with "
            + "--add-modules jdk.incubator.vector (as bin/epochal does; for Maven's tests, in surefire's argLine)";

    /**
     * Throws, naming the JVM flag, when the Vector API is missing: without it the first kernel called would
     * fail with a NoClassDefFoundError for jdk.incubator.vector. {@link Parallel}, which every model holds,
     * calls it when it is loaded.
     */
    static void requireVectorApi() {
        if (!VECTORIZED) {
            throw new IllegalStateException(NEEDS_VECTOR_API);
        }
    }

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
        Workspace ws = par.workspace();
        ws.gemm().run(par, ws, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    /** Columns of B per panel of the kernels: a product n columns wide, n a multiple of it, reads B in place. */
    public static final int PANEL_WIDTH = VECTORIZED ? GemmKernels.W : 0; // 0: never read (no kernels run)

    private static final AtomicBoolean WARMING = new AtomicBoolean();
    private static final java.util.concurrent.CountDownLatch WARM = new java.util.concurrent.CountDownLatch(1);

    /**
     * Waits (at most {@code millis}) until the background warm-up has run, for measurements that must not
     * see the Vector API before C2 compiled it; true if it has. Training never needs to wait.
     */
    public static boolean awaitWarmUp(long millis) throws InterruptedException {
        warmUpInBackground();
        return WARM.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Whether the background warm-up has run (without waiting): until then Vector API loops may be slow. */
    static boolean warm() {
        return WARM.getCount() == 0;
    }

    /**
     * Starts, once per JVM, a daemon thread that runs the fast path on small private problems until the JIT
     * has compiled it. Until C2 compiles them, Vector API kernels run through their Java fallbacks,
     * hundreds of times slower than scalar code: without this a training run spends its first one or two
     * seconds there. Called when {@link Parallel} is loaded, i.e. when a model is built, so the warm-up
     * overlaps with loading the data. It touches no shared state (its own arrays and workspace).
     */
    static void warmUpInBackground() {
        if (!WARMING.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                warmUp();
            } finally {
                WARM.countDown();
            }
        }, "epochal-gemm-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * The GEMM kernels on short k (cheap while interpreted; C2 counts calls), {@link Elementwise}'s loops and
     * the {@link BlockSums}, then whole GEMMs of small shapes in all eight variants, each in turns until C2
     * has compiled it ({@link WarmUp}).
     */
    static void warmUp() {
        float[] x = new float[8192];
        float[] y = new float[8192];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) * 0.25f;
            y[i] = (i % 5) * 0.5f;
        }
        int w = GemmKernels.W;
        // the last two: past 2^18 multiply-adds, so that GemmPlan.oneThread weighs the memory touched, both ways,
        // as training's products make it (JFR: unstable_if there at a batch-512 run's start; the GEMM compiled
        // again)
        int[][] shapes = {{7, 70, 3}, {13, 70, 260}, {64, 12, 130}, {20, 9, 33}, {1, 140, 130}, {1, 10, 40},
            {66, 64, 70}, {300, 10, 100}};
        // ns a call, compiled: 300-500, 11,000-14,000, 2,700-4,000, 800-1,100, 3,000-4,400, 40-600, 4,000-6,000
        // and 5,000-9,000 here
        long[] bounds = {1_500, 40_000, 10_000, 3_000, 12_000, 2_000, 20_000, 30_000};
        // a pool of one thread beside SEQUENTIAL: a trainer's (whose workspace is its own, not the calling
        // thread's) and the halves' products (SEQUENTIAL, on two threads at once) both reach Parallel.workspace
        Parallel one = new Parallel(1);
        float[] a = new float[300 * 130];
        float[] b = new float[300 * 130];
        float[] c = new float[300 * 130];
        System.arraycopy(x, 0, a, 0, x.length);
        System.arraycopy(y, 0, b, 0, y.length);
        // ns a call, compiled: tiles 27-36, one row 12-20, dots 140-160, transpose 59-68, copy 9-16
        WarmUp.Loop[] loops = new WarmUp.Loop[6 + shapes.length];
        loops[0] = new WarmUp.Loop(150, i -> GemmKernels.tileJ(1 + (i & 3), x, 0, 8, 1, 1 + i % GemmKernels.R, y, 0,
                (i & 2) != 0 ? w : w + 16, x, 4096, w, (i & 1) != 0));
        loops[1] = new WarmUp.Loop(150, i -> GemmKernels.tileI(1 + (i & 3), y, 0, x, 0, 8, 1, 1 + i % GemmKernels.R,
                x, 4096, w, (i & 1) != 0));
        loops[2] = new WarmUp.Loop(100, i -> GemmKernels.rowJ(1 + (i & 3), x, 0, 1, y, 0, w, x, 4096, (i & 1) != 0));
        // k past one block of 1024 now and then: the lanes then carry over between blocks; and one row
        // against 8 or more rows (a batch of one's input gradient): without those, training's first such
        // call left the compiled Dots for the interpreter, and C2 compiled it four more times in epoch 1
        float[] dotsB = new float[13 * 1100];
        // (accumulating or not apart from the row count: a batch of one's forward pass by unit accumulates onto
        // the bias, and one row only ever overwriting sent it back to the interpreter at training's first step)
        loops[3] = new WarmUp.Loop(600, i -> Dots.rows(1 + (i & 3), 1 + i % 5 + ((i & 16) != 0 ? 8 : 0),
                16 * (1 + (i & 3)) + (i & 1) + ((i & 12) == 12 ? 1024 : 0), x, 0, 1100, dotsB, 0, 1100, (i & 32) != 0,
                x, 6000, 16));
        loops[4] = new WarmUp.Loop(300, i -> GemmKernels.transpose(x, 0, 40, 16 + (i & 1), 16 + (i & 2), y, 0, 40));
        loops[5] = new WarmUp.Loop(100, i -> GemmKernels.copy(x, i & 7, y, 0, w));
        for (int q = 0; q < shapes.length; q++) {
            int[] s = shapes[q];
            // the eight variants in turn: A and B transposed or not, C overwritten or accumulated
            loops[6 + q] = new WarmUp.Loop(bounds[q], i -> {
                boolean transA = (i & 1) != 0;
                boolean transB = (i & 2) != 0;
                gemm((i & 8) != 0 ? one : Parallel.SEQUENTIAL, transA, transB, s[0], s[1], s[2], a, 0,
                        transA ? s[0] : s[2], b, 0, transB ? s[2] : s[1], (i & 4) != 0, c, 0, s[1]);
            });
        }
        // The kernels first, on short k: whole GEMMs run them on k up to 192, and interpreted that long they
        // were compiled twice (on-stack replacement first: tileJ 286 ms of C2's time, then 206 ms).
        WarmUp.Loop[] vectorLoops = Elementwise.warmUpLoops();
        WarmUp.Loop[] adam = AdamUpdate.warmUpLoops();
        WarmUp.Loop[] elementwise = Arrays.copyOf(vectorLoops, vectorLoops.length + adam.length);
        System.arraycopy(adam, 0, elementwise, vectorLoops.length, adam.length);
        WarmUp.Loop[] sums = BlockSums.warmUpLoops();
        WarmUp.Loop[] kernels = Arrays.copyOf(elementwise, elementwise.length + sums.length + 6);
        System.arraycopy(sums, 0, kernels, elementwise.length, sums.length);
        System.arraycopy(loops, 0, kernels, elementwise.length + sums.length, 6);
        WarmUp.untilCompiled(kernels);
        WarmUp.untilCompiled(Arrays.copyOfRange(loops, 6, loops.length));
    }
}
