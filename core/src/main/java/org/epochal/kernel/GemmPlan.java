package org.epochal.kernel;

import static org.epochal.kernel.GemmKernels.R;
import static org.epochal.kernel.GemmKernels.W;

import java.util.Arrays;

/**
 * One {@link Gemm} call on the Vector API path: its arguments, how it is cut into tasks, and the task
 * bodies (packing and tile loops). One instance per {@link Parallel} (per thread for
 * {@link Parallel#SEQUENTIAL}), reused by every call, so a call allocates nothing.
 *
 * <p>Two orientations, chosen per call by estimated cost, both computing each element as the same fma chain:
 * <ul>
 * <li>j-lanes: B packed into panels of W columns (W = 4 vectors, zero-padded past n; a large B with contiguous
 *     rows is read in place, only its partial last panel packed), R×W tiles of C,
 *     A read in place (any transpose). Blocked KC deep in k and MC tall in rows; C holds the running sum
 *     between k blocks, which is exact because it is stored as the same float the register held.</li>
 * <li>i-lanes (for Bᵀ with few rows, e.g. a batch times Wᵀ, or few columns and a long k): W×R tiles of Cᵀ in scratch, B read in
 *     place, so the large weight matrix is never transposed; A packed, KCI deep at a time, into panels of
 *     W rows by every task (A is the small operand: a private copy in L1 beats one shared between cores);
 *     each task copies its columns of C in and out of the scratch.</li>
 * </ul>
 * Tasks own whole rows or whole columns of C and every k, so no sum is ever split across tasks.
 * (Over 300 lines: both orientations share the call state and the task dispatch.)
 */
final class GemmPlan implements Parallel.Task {
    /** k block: a KC×W panel of B (32 KB) is reused by every row tile of an MC block. */
    private static final int KC = 128;
    /** Rows per block (a multiple of R): an MC×KC block of A stays in L2 while the panels go by. */
    private static final int MC = 96;
    /** i-lanes k block: a KCI×W panel of A (32 KB) stays in L1 while the columns go by. */
    private static final int KCI = 128;
    /** One-row k block: a KCR×W block of a transposed B (16 KB) is packed into L1 and used at once. */
    private static final int KCR = 64;
    /** B elements past which j-lanes reads B's rows in place rather than packing them (2 MB: beyond L2). */
    private static final long IN_PLACE_MIN = 1 << 19;

    private static final int TILES_J = 1;
    private static final int TILES_I = 2;

    // The call (see Gemm.gemm).
    private boolean transA;
    private boolean transB;
    private boolean accumulate;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] b;
    private int bOff;
    private int ldb;
    private float[] c;
    private int cOff;
    private int ldc;

    // The cut.
    private int phase;
    private float[] work;
    private int panels;
    private boolean bInPlace;
    private int panelsPerTask;
    private int rowTasks;
    private int mPadded;
    private int packOff;
    private int tilesPerTask;
    private int edgeOff;
    /** j-lanes by rows, one slice of them per thread (pinned), each task packing B into its own region. */
    private boolean bySlices;
    /** Floats between two tasks' packed copies of B (0: one copy shared). */
    private int packStride;

    /** Runs the call on {@code par}; the arguments are already checked (m, n, k > 0). */
    void run(Parallel par, Workspace ws, boolean transA, boolean transB, int m, int n, int k,
             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
             boolean accumulate, float[] c, int cOff, int ldc) {
        this.transA = transA;
        this.transB = transB;
        this.accumulate = accumulate;
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        int threads = oneThread(m, n, k) ? 1 : par.threads();
        try {
            if (m == 1) {
                runRow(ws);
            } else if (k == 1 && !transB) {
                runOuter();
            } else if (prefersILanes(transA, transB, accumulate, m, n, k, threads)) {
                runILanes(par, ws, threads);
            } else {
                runJLanes(par, ws, threads);
            }
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
            this.work = null;
        }
    }

    /**
     * Whether an m×n×k product runs on one thread: small products, and products with few multiply-adds per
     * element touched (a first convolution: k = 9, or its weight gradient: 9 columns). Those stream memory,
     * and two cores streaming it from different dies ran them 30% slower than one (32×43264×9: 83 → 59
     * GFLOP/s). A batch of one always runs on one thread.
     */
    static boolean oneThread(int m, int n, int k) {
        long fmas = (long) m * n * k;
        long touched = (long) m * k + (long) k * n + (long) m * n;
        return m == 1 || fmas < (1 << 18) || fmas < 16 * touched;
    }

    /**
     * Time per thread in rough cycles: a vector FMA issues at 2 per cycle, a transposed element costs about
     * 0.7 cycle, a copied one 0.1. j-lanes pays for packing B (padded to whole panels) once, i-lanes for
     * packing A on every thread and for moving C through scratch; both for the padding of their tiles.
     * i-lanes wins for a batch times Wᵀ (B is the large operand, and transposed) and for products with
     * few columns and a long k (Aᵀ·B of a convolution's weight gradient: 9 columns, k = 43264).
     */
    static boolean prefersILanes(boolean transA, boolean transB, boolean accumulate, int m, int n, int k,
                                 int threads) {
        double vectorFma = (double) k / GemmKernels.L / 2;
        double j = (ceil(m, R) * ceil(n, W) * vectorFma + (transB ? 0.7 : 0.1) * ceil(n, W) * k) / threads;
        double i = ceil(m, W) * ceil(n, R) * vectorFma / threads + (transA ? 0.1 : 0.7) * ceil(m, W) * k
                + 0.7 * m * n * (accumulate ? 2 : 1) / threads;
        return i < j;
    }

    // ---------------------------------------------------------------- j-lanes

    private void runJLanes(Parallel par, Workspace ws, int threads) {
        panels = (n + W - 1) / W;
        int rowTiles = (m + R - 1) / R;
        // Split the longer side of C. By columns, every thread reads all of A; by rows, all of B. When C has
        // more rows than columns (a batch times W, m = 512 samples; a weight gradient xᵀ·dy, m = 784 inputs)
        // A is the larger operand, and half of what each thread reads of it comes from the other die. Timed
        // in one process switching every 20 batches, µs a step on two threads, columns → rows when m > n:
        // MLP at batch 512 3,631–4,489 → 3,174–3,819, at 64 765–839 → 755–801, CNN 9,199–9,803 → 8,476–8,956.
        // A square C stays split by columns (1024³).
        boolean byColumns = threads == 1 || m <= n && panels >= threads
                && (panels % threads == 0 || panels >= 3 * threads || rowTiles < 2 * threads);
        bySlices = false;
        packStride = 0;
        if (!byColumns) {
            // By rows: one slice of them per thread, each thread packing all of B itself rather than half of
            // it for both. When C's rows are A's rows, a batch's samples (x·W, dy·Wᵀ), the slices are those
            // Parallel.forSlices gives, which the gather and the per-sample layers left in that thread's cache
            // (timed in one process switching every 20 batches, µs a step on two threads, rows claimed in turns
            // → slices: MLP at batch 512 3,918–4,570 → 3,117–3,380, at 64 686–770 → 696–773, CNN 8,482–8,952 →
            // 8,631–8,826). A weight gradient xᵀ·dy (C's rows are inputs) was split into row tasks claimed in
            // turns after both threads packed B together: each task then read half of the packed B from the
            // other core. Its own copy per thread: 784×256×512 on two threads 265–280 → 333–348 GFLOP/s,
            // 256×128×512 222–228 → 286–300 (`GemmBest`, alternating); in training, switching every two
            // steps, the median step at batch 512 0.966–0.996 of before in seven runs, at 64 and the CNN's
            // 0.983–1.005.
            bySlices = true;
            rowTasks = threads;
            panelsPerTask = panels;
            bInPlace = false;
            packStride = panels * k * W;
            work = ws.floats((long) threads * packStride + (long) threads * R * W); // checks the offsets fit an int
            edgeOff = threads * packStride;
            phase = TILES_J;
            par.forEachPinned(threads, this);
            return;
        }
        // By columns: tasks of a few panels each, all rows.
        panelsPerTask = threads == 1 ? panels : Math.max(1, Math.min(4, panels / (3 * threads)));
        // A large B with contiguous rows (a convolution's im2col matrix, 8.9 MB) is read where it is:
        // a packed copy would not stay in L2 either and costs one more trip through memory (conv2's
        // forward: 2.9 → 2.5 ms a batch, mean of 2,000 calls; MLP-sized B measured no better so stays packed).
        // Not when its rows lie a multiple of 1 KB apart: a tile's 192 rows then share a few L1 sets and
        // evict each other (1024³: 139 GFLOP/s in place, 158 packed, alternating calls).
        bInPlace = !transB && (long) k * n >= IN_PLACE_MIN && ldb % 256 != 0;
        int tasks = (panels + panelsPerTask - 1) / panelsPerTask;
        work = ws.floats((long) panels * k * W + (long) tasks * R * W); // checks that the offsets fit an int
        edgeOff = panels * k * W;
        phase = TILES_J;
        forEach(par, threads, tasks);
    }

    /** Runs tasks 0..count-1 on the pool, or inline when one thread suffices. */
    private void forEach(Parallel par, int threads, int count) {
        if (threads == 1) {
            for (int t = 0; t < count; t++) {
                run(t);
            }
        } else {
            par.forEach(count, this);
        }
    }

    @Override
    public void run(int t) {
        switch (phase) {
            case TILES_J -> {
                if (bySlices) {
                    // Parallel.forSlices' bounds for m samples
                    tilesJ((int) ((long) m * t / rowTasks), (int) ((long) m * (t + 1) / rowTasks), 0, panels,
                            edgeOff + t * R * W, t * packStride);
                    return;
                }
                int jp0 = t * panelsPerTask;
                tilesJ(0, m, jp0, Math.min(panels, jp0 + panelsPerTask),
                        edgeOff + t * R * W, 0);
            }
            case TILES_I -> {
                int jt0 = t * tilesPerTask;
                tilesI(jt0 * R, Math.min(n, (jt0 + tilesPerTask) * R), packOff + t * mPadded * KCI);
            }
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    /**
     * C[i0:i1, panels jp0:jp1], every k, in k-block order; a partial last panel goes through work[edge..].
     * The packed panels start at work[pack] (the task's own copy when each task packs all of B).
     */
    private void tilesJ(int i0, int i1, int jp0, int jp1, int edge, int pack) {
        for (int jp = jp0; jp < jp1; jp++) {
            if (!(bInPlace && (jp + 1) * W <= n)) {
                packB(jp, 0, k, work, pack + jp * k * W);
            }
        }
        int ars = transA ? 1 : lda;
        int aps = transA ? lda : 1;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean load = accumulate || pc > 0;
            for (int ic = i0; ic < i1; ic += MC) {
                int ie = Math.min(i1, ic + MC);
                for (int jp = jp0; jp < jp1; jp++) {
                    int j0 = jp * W;
                    int cols = Math.min(W, n - j0);
                    int bIdx = pack + (jp * k + pc) * W;
                    for (int ir = ic; ir < ie; ir += R) {
                        int rows = Math.min(R, ie - ir);
                        int aBase = aOff + ir * ars + pc * aps;
                        int cBase = cOff + ir * ldc + j0;
                        if (cols == W) {
                            // a whole panel: B's own rows, or the packed panel
                            GemmKernels.tileJ(kc, a, aBase, ars, aps, rows, bInPlace ? b : work,
                                    bInPlace ? bOff + pc * ldb + j0 : bIdx, bInPlace ? ldb : W, c, cBase, ldc, load);
                            continue;
                        }
                        if (load) {
                            for (int r = 0; r < rows; r++) {
                                System.arraycopy(c, cBase + r * ldc, work, edge + r * W, cols);
                            }
                        }
                        GemmKernels.tileJ(kc, a, aBase, ars, aps, rows, work, bIdx, W, work, edge, W, load);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(work, edge + r * W, c, cBase + r * ldc, cols);
                        }
                    }
                }
            }
        }
    }

    /** Panel jp of op(B), rows p0:p1, into dst[base + p·W + jj] (base is where row 0 would go). */
    private void packB(int jp, int p0, int p1, float[] dst, int base) {
        int j0 = jp * W;
        int cols = Math.min(W, n - j0);
        if (cols < W) {
            for (int p = p0; p < p1; p++) {
                Arrays.fill(dst, base + p * W + cols, base + p * W + W, 0f);
            }
        }
        if (!transB) {
            for (int p = p0; p < p1; p++) {
                int src = bOff + p * ldb + j0;
                if (cols == W) {
                    GemmKernels.copy(b, src, dst, base + p * W, W);
                } else {
                    System.arraycopy(b, src, dst, base + p * W, cols);
                }
            }
        } else {
            // op(B)[p, j] = b[j·ldb + p]: a transpose.
            GemmKernels.transpose(b, bOff + j0 * ldb + p0, ldb, cols, p1 - p0, dst, base + p0 * W, W);
        }
    }

    // ---------------------------------------------------------------- one row

    /**
     * A batch of one (m = 1): one thread, B streamed once. Whole panels of B's own rows are read in place;
     * a transposed B (a sample times Wᵀ) is transposed KCR rows at a time into a block that stays in L1
     * and is used at once, where j-lanes would pack all of B and compute R rows for the one there is.
     */
    private void runRow(Workspace ws) {
        if (!transB && n <= GemmKernels.L) {
            GemmKernels.rowNarrow(k, a, aOff, transA ? lda : 1, b, bOff, ldb, n, c, cOff, accumulate);
            return;
        }
        panels = (n + W - 1) / W;
        work = ws.floats(KCR * W + W);
        int edge = KCR * W;
        int aps = transA ? lda : 1;
        for (int jp = 0; jp < panels; jp++) {
            int j0 = jp * W;
            boolean whole = j0 + W <= n;
            float[] out = whole ? c : work;
            int outBase = whole ? cOff + j0 : edge;
            if (!whole && accumulate) {
                System.arraycopy(c, cOff + j0, work, edge, n - j0);
            }
            for (int pc = 0; pc < k; pc += KCR) {
                int kc = Math.min(KCR, k - pc);
                boolean load = accumulate || pc > 0;
                if (whole && !transB) {
                    GemmKernels.rowJ(kc, a, aOff + pc * aps, aps, b, bOff + pc * ldb + j0, ldb, out, outBase, load);
                } else {
                    packB(jp, pc, pc + kc, work, -pc * W);
                    GemmKernels.rowJ(kc, a, aOff + pc * aps, aps, work, 0, W, out, outBase, load);
                }
            }
            if (!whole) {
                System.arraycopy(work, edge, c, cOff + j0, n - j0);
            }
        }
    }

    /**
     * k = 1 (a batch of one's weight gradient, xᵀ·dy): C[i, :] = a(i)·B's one row, onto +0 or the old C,
     * row after row with B's row read in place; the same single-term chains as the tiles, which spent a
     * third more on this (784×256: 17 against 12 µs). Always one thread ({@link #oneThread}).
     */
    private void runOuter() {
        int ars = transA ? 1 : lda;
        int whole = n / W * W;
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * ars;
            int row = cOff + i * ldc;
            for (int j0 = 0; j0 < whole; j0 += W) {
                GemmKernels.rowJ(1, a, ai, 1, b, bOff + j0, 0, c, row + j0, accumulate);
            }
            for (int j = whole; j < n; j++) {
                c[row + j] = Math.fma(a[ai], b[bOff + j], accumulate ? c[row + j] : 0f);
            }
        }
    }

    // ---------------------------------------------------------------- i-lanes

    private void runILanes(Parallel par, Workspace ws, int threads) {
        int iPanels = (m + W - 1) / W;
        mPadded = iPanels * W;
        int jTiles = (n + R - 1) / R;
        // One task per thread, equal in columns: each packs all of A again (A is the small operand), which
        // costs less than sharing one packed copy between cores.
        int tasks = Math.min(threads, jTiles);
        tilesPerTask = (jTiles + tasks - 1) / tasks;
        tasks = (jTiles + tilesPerTask - 1) / tilesPerTask;
        work = ws.floats((long) n * mPadded + (long) tasks * mPadded * KCI); // checks that the offsets fit an int
        packOff = n * mPadded;
        phase = TILES_I;
        forEach(par, threads, tasks);
    }

    /**
     * Columns j0:j1 of C through their rows of Cᵀ in scratch, in k-block order; work[pack..] holds this
     * task's packed block of A.
     */
    private void tilesI(int j0, int j1, int pack) {
        float[] ct = work;
        if (accumulate) {
            GemmKernels.transpose(c, cOff + j0, ldc, m, j1 - j0, ct, j0 * mPadded, mPadded);
        }
        int bjs = transB ? ldb : 1;
        int bps = transB ? 1 : ldb;
        int iPanels = mPadded / W;
        for (int pc = 0; pc < k; pc += KCI) {
            int kc = Math.min(KCI, k - pc);
            boolean load = accumulate || pc > 0;
            packA(pc, pc + kc, pack);
            for (int jt = j0; jt < j1; jt += R) {
                int cols = Math.min(R, j1 - jt);
                for (int ip = 0; ip < iPanels; ip++) {
                    GemmKernels.tileI(kc, work, pack + ip * kc * W, b, bOff + jt * bjs + pc * bps, bjs, bps, cols,
                            ct, jt * mPadded + ip * W, mPadded, load);
                }
            }
        }
        GemmKernels.transpose(ct, j0 * mPadded, mPadded, j1 - j0, m, c, cOff + j0, ldc);
    }

    /**
     * Rows p0:p1 of op(A), all of m: work[pack + (ip·kc + p − p0)·W + ii] = op(A)[ip·W + ii, p], kc = p1 − p0,
     * zeros past m.
     */
    private void packA(int p0, int p1, int pack) {
        float[] dst = work;
        int kc = p1 - p0;
        for (int i0 = 0; i0 < mPadded; i0 += W) {
            int rows = Math.min(W, m - i0);
            int base = pack + (i0 / W) * kc * W;
            if (rows < W) {
                for (int q = 0; q < kc; q++) {
                    Arrays.fill(dst, base + q * W + rows, base + q * W + W, 0f);
                }
            }
            if (transA) {
                for (int q = 0; q < kc; q++) {
                    System.arraycopy(a, aOff + (p0 + q) * lda + i0, dst, base + q * W, rows);
                }
            } else {
                GemmKernels.transpose(a, aOff + i0 * lda + p0, lda, rows, kc, dst, base, W);
            }
        }
    }

    private static long ceil(int x, int to) {
        return (long) (x + to - 1) / to * to;
    }
}
