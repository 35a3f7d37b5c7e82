package org.epochal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that runs numbered tasks: {@code forEach(count, task)} calls {@code task.run(i)}
 * for every i in [0, count), on the caller and the workers, and returns when all are done.
 *
 * <p>Determinism contract: kernels split their work so that every output element is computed by exactly
 * one task, by the same arithmetic whatever the number of tasks or threads. Reductions are never split
 * across tasks (or are split in fixed-size chunks summed in chunk order). Results are then bit-identical
 * for any thread count, and which thread runs a task does not matter.
 *
 * <p>One caller thread at a time per instance ({@link #SEQUENTIAL} excepted: any thread may use it).
 * A call allocates nothing: the call's task and count sit in fields, and tasks are claimed through one
 * atomic (generation, next index) pair, so a worker still busy with an old call can never claim a task of
 * the next one. Pinned calls ({@link #forEachPinned}, {@link #forSlices}): thread t runs tasks t, t + threads,
 * ..., so work split the same way lands on the same core every time, unless it is descheduled (then the
 * caller runs them: {@link #runUnclaimed}). {@link #forShares}
 * runs chunks each thread's own share first, then any left of the others'. {@link #startAsync} runs one body
 * on worker 1 while the caller goes on; the next call waits for it. Also owns the kernels' reused scratch.
 */
public final class Parallel implements AutoCloseable {
    /** Runs everything on the calling thread. */
    public static final Parallel SEQUENTIAL = new Parallel(1);

    static {
        // Models hold a Parallel from the start: a JVM without the Vector API hears it when a model is built.
        Gemm.requireVectorApi();
        Gemm.warmUpInBackground();
    }

    /** One unit of work, by index. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    /** The work on indices [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    /** The low half of {@link #state} while a call is being set up: no index is claimable. */
    private static final int SETTING_UP = Integer.MAX_VALUE;
    private static final long SPIN_NANOS = 500_000L; // how long an idle worker spins before it parks

    private static final ThreadLocal<Workspace> SEQUENTIAL_WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final int threads;
    private final Thread[] workers;
    /** (generation << 32) | next index to claim; a task is claimed by advancing it with a CAS. */
    private final AtomicLong state = new AtomicLong(SETTING_UP);
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Task task;
    private volatile int count;
    /** The kind of the current call: how its work is handed out (see {@link #work}). */
    private volatile int kind;
    /** Tasks claimed in turns by whichever thread comes. */
    private static final int CLAIMED = 0;
    /** Task i runs on thread i % threads (0: the caller). */
    private static final int PINNED = 1;
    /** A {@link #forShares} call: its chunks are claimed through {@link #shareNext}. */
    private static final int SHARES = 2;
    /** A {@link #startAsync} call: worker 1 claims its body. */
    private static final int ASYNC = 3;
    /** The current forShares call (written before its counters open: see {@link #forShares}). */
    private RangeTask sharesBody;
    private int sharesCount;
    private int sharesGrain;
    /**
     * Per share, at index (share + 1)·{@link #SHARE_STRIDE}: (generation << 32) | next chunk to claim; a claim
     * is a CAS, so it pairs a chunk with its call. The counters sit 128 bytes apart and from either end of the
     * array: side by side (two AtomicLongs allocated one after the other), each thread's claim took the
     * other's cache line away across the dies.
     */
    private final AtomicLongArray shareNext;
    private static final int SHARE_STRIDE = 16;

    /** Where share t's counter sits in {@link #shareNext}. */
    private static int shareSlot(int t) {
        return (t + 1) * SHARE_STRIDE;
    }
    /** Per share: its end chunk (exclusive). */
    private final int[] shareEnd;
    /** Who runs each task of a pinned call. */
    private final PinnedClaims pinnedClaims;
    /** How long after running its own pinned tasks the caller waits for a thread to claim its own. */
    private static final long UNCLAIMED_NANOS = 50_000L;
    /** The current forSlices call, written before the call is published (a Task made once, no lambda a call). */
    private RangeTask sliceBody;
    private int sliceFrom, sliceCount;
    private final Task slice = this::runSlice;
    private volatile Throwable failure;
    private volatile boolean closed;
    /** Wraps after 2^32 calls; a state value could recur only for a worker stalled through all of them. */
    private int generation;
    private final Workspace workspace = new Workspace();

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.shareNext = new AtomicLongArray((threads + 2) * SHARE_STRIDE);
        for (int t = 0; t < threads; t++) {
            shareNext.set(shareSlot(t), -1L); // generation -1: never a call's
        }
        this.shareEnd = new int[threads];
        this.pinnedClaims = new PinnedClaims(threads);
        this.workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int self = w + 1;
            Thread t = new Thread(() -> workerLoop(self), "epochal-worker-" + self);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs task(0..count-1) and returns when all have finished; rethrows the first failure. */
    public void forEach(int count, Task task) {
        run(count, task, false);
    }

    /**
     * As {@link #forEach}, but task i runs on thread i % threads (0: the caller), unless that thread has not
     * claimed it {@link #UNCLAIMED_NANOS} after the caller ran its own: the caller then runs it.
     */
    public void forEachPinned(int count, Task task) {
        run(count, task, true);
    }

    /**
     * Runs body over [0, count) cut into one slice per thread, slice t = [t·count/T, (t+1)·count/T) always on
     * thread t. For per-sample layers given the batch size: each thread then works on the same samples in
     * every layer and finds them in its own cache. The two cores here sit on different dies, and a layer
     * that split its data otherwise than the one before paid to fetch half of it from the other die (conv1's
     * forward: 0.8 ms on one thread, 1.1 ms on two when the next layers took other halves).
     */
    public void forSlices(int count, RangeTask body) {
        forSlices(0, count, body);
    }

    /** As {@link #forSlices(int, RangeTask)} over [from, to): slice t = [from + t·(to − from)/T, ...). */
    public void forSlices(int from, int to, RangeTask body) {
        if (threads == 1 || to - from <= 1) {
            body.run(from, to);
            return;
        }
        sliceBody = body;
        sliceFrom = from;
        sliceCount = to - from;
        try {
            forEachPinned(threads, slice);
        } finally {
            sliceBody = null;
        }
    }

    /** Slice t of the current {@link #forSlices} call (its body and count are published with the call). */
    private void runSlice(int t) {
        int from = sliceFrom + (int) ((long) sliceCount * t / threads);
        int to = sliceFrom + (int) ((long) sliceCount * (t + 1) / threads);
        if (from < to) {
            sliceBody.run(from, to);
        }
    }

    /**
     * Runs body over [0, count) in chunks of {@code grain} (the last may be shorter). Share t, chunks
     * [t·C/T, (t+1)·C/T) of the C chunks, is thread t's: each thread runs its own share's chunks first, then
     * claims whatever chunks of the other shares are still unclaimed. When no thread is late, thread t runs
     * the same elements call after call, so the data stays in its core's cache; when one is late or
     * descheduled (two vCPUs here, shared with the JIT's compiler threads), the others do its work instead of
     * waiting for it. For work that gives the same result whoever runs a chunk (elementwise updates). With
     * one thread, or one chunk, the body gets the whole range at once.
     */
    public void forShares(int count, int grain, RangeTask body) {
        shares(chunks(count, grain), count, grain, null, body);
    }

    /**
     * As {@link #forShares}, chunk c being body.run(c, c + 1), but share t is chunks [ends[t − 1], ends[t])
     * (ends[−1] = 0, one end per thread): shares the caller sets (a weight in panels: the optimizer's update
     * of the panels each thread ran in the forward pass, and the other parameters the caller's).
     */
    public void forShares(int[] ends, RangeTask body) {
        shares(ends[threads - 1], ends[threads - 1], 1, ends, body);
    }

    /** A forShares call: share t ends at chunk ends[t], or the chunks split evenly when ends is null. */
    private void shares(int chunks, int count, int grain, int[] ends, RangeTask body) {
        if (threads == 1 || chunks <= 1) {
            body.run(0, count);
            return;
        }
        // A pending async body goes on beside these chunks: its worker joins them when it is done.
        int gen = begin(SHARES, null, 0, chunks);
        // Close every share first: a thread still looking at the last call's counters fails its CAS from
        // here on, so it never pairs a chunk index with the fields written next.
        for (int t = 0; t < threads; t++) {
            shareNext.set(shareSlot(t), ((long) gen << 32) | Integer.MAX_VALUE);
        }
        sharesBody = body;
        sharesCount = count;
        sharesGrain = grain;
        for (int t = 0; t < threads; t++) { // read only by threads that see the call opened, below
            shareEnd[t] = ends != null ? ends[t] : (int) ((long) chunks * (t + 1) / threads);
            shareNext.set(shareSlot(t), ((long) gen << 32) | (t == 0 ? 0 : shareEnd[t - 1]));
        }
        open(gen);
        try {
            workShares(gen, 0);
            finish();
        } finally {
            sharesBody = null;
        }
    }

    /**
     * Claims and runs chunks of forShares call gen: share self first, then the others in turn. The chunks
     * run are counted off the call once, at the end: a count per chunk moved the counter's cache line
     * between the dies every time.
     */
    private void workShares(int gen, int self) {
        int done = 0;
        try {
            for (int j = 0; j < threads; j++) {
                int at = shareSlot((self + j) % threads);
                int end = shareEnd[(self + j) % threads];
                while (true) {
                    long v = shareNext.get(at);
                    int c = (int) v;
                    if ((int) (v >>> 32) != gen || c >= end) {
                        break;
                    }
                    if (!shareNext.compareAndSet(at, v, v + 1)) {
                        continue;
                    }
                    // The chunk is ours, and its call is not finished until we count it: the fields are its.
                    done++;
                    try {
                        long from = (long) c * sharesGrain;
                        sharesBody.run((int) from, (int) Math.min(sharesCount, from + sharesGrain));
                    } catch (Throwable e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }
        } finally {
            if (done > 0) {
                remaining.addAndGet(-done);
            }
        }
    }

    /** A {@link #startAsync} call has been made and not awaited. */
    private boolean asyncPending;
    private Runnable asyncBody;
    /** The generation of the pending async call while its body is unclaimed; a claim CASes it to -1. */
    private final AtomicLong asyncClaim = new AtomicLong(-1);
    /** 1 while the pending async body has not finished, then 0. */
    private final AtomicInteger asyncLeft = new AtomicInteger();
    /** The async body's failure (apart from {@link #failure}: calls run beside the body). */
    private volatile Throwable asyncFailure;

    /**
     * Starts {@code body} on worker thread 1 and returns at once (with one thread: runs it, then returns). The
     * next call on this instance, or {@link #awaitAsync()}, first waits for it, but for {@link #forShares},
     * which runs beside it (worker 1 joins the shares when the body is done). Whoever first claims the body
     * runs it: worker 1, or the caller when it waits for a body the worker has not started (a descheduled
     * vCPU), so the wait never depends on the worker waking up. For work that overlaps the caller's serial
     * part of a step: the next batch's gather while the optimizer and the callbacks run.
     */
    public void startAsync(Runnable body) {
        if (threads == 1) {
            body.run();
            return;
        }
        awaitAsync();
        int gen = begin(ASYNC, null, 0, 0);
        asyncBody = body;
        asyncLeft.set(1);
        asyncFailure = null;
        asyncClaim.set(gen);
        open(gen);
        asyncPending = true;
    }

    /** Runs the async call gen's body if nobody has claimed it yet. */
    private void claimAsync(long gen) {
        if (gen >= 0 && asyncClaim.compareAndSet(gen, -1)) {
            try {
                asyncBody.run();
            } catch (Throwable e) {
                asyncFailure = e;
            } finally {
                asyncLeft.set(0);
            }
        }
    }

    /** Waits for the {@link #startAsync} call still running, if any (running it here if not started); rethrows its failure. */
    public void awaitAsync() {
        if (!asyncPending) {
            return;
        }
        asyncPending = false;
        claimAsync(asyncClaim.get());
        Waits.awaitZero(asyncLeft);
        asyncBody = null;
        Throwable f = asyncFailure;
        asyncFailure = null;
        Waits.rethrow(f);
    }

    private void run(int count, Task task, boolean pinned) {
        awaitAsync();
        if (threads == 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        int gen = begin(pinned ? PINNED : CLAIMED, task, count, count);
        boolean claims = pinned && pinnedClaims.covers(count);
        if (claims) {
            pinnedClaims.open(gen, count);
        }
        open(gen);
        work(gen, 0);
        if (claims) {
            runUnclaimed(gen, task, count);
        }
        finish();
    }

    /**
     * Starts setting up the next call, of this kind with this task and count and {@code left} units of work
     * to wait for; returns its generation. Closes the old call's counter first: from here on a late worker
     * claims nothing, whatever fields it reads; {@link #open} then publishes the new call with its counter at 0.
     */
    private int begin(int kind, Task task, int count, int left) {
        int gen = ++generation;
        state.set(((long) gen << 32) | SETTING_UP);
        this.task = task;
        this.count = count;
        this.kind = kind;
        this.failure = null;
        remaining.set(left);
        return gen;
    }

    /** Waits until every task of the published call has run; rethrows the first failure. */
    private void finish() {
        Waits.awaitZero(remaining);
        this.task = null;
        Throwable f = failure;
        failure = null;
        Waits.rethrow(f);
    }

    /**
     * Runs here the pinned tasks of call gen unclaimed {@link #UNCLAIMED_NANOS} from now: their thread is
     * descheduled (the JIT's compilers held worker 1's vCPU 13% of a run's last four epochs at batch 512, 0.4
     * ms typically, a tenth of the times over 2.9 ms). MLP at 512 on two threads, switching every two batches
     * in one process: the mean step 4.4–9.3% lower in four runs, the median the same; CNN, batch 64 within 1%.
     */
    private void runUnclaimed(int gen, Task task, int count) {
        long since = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (pinnedClaims.claimLate(gen, i, since, UNCLAIMED_NANOS)) {
                runOne(task, i);
            }
        }
    }

    /** Makes call gen claimable (its fields are written) and wakes the workers. */
    private void open(int gen) {
        state.set((long) gen << 32);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Claims and runs tasks of call {@code gen} until none is left. A claim succeeds only if the state is
     * still the one read before task and count were read, and the state never returns to an old value,
     * so a successful claim always pairs an index with its own call's task.
     */
    private void work(int gen, int self) {
        int k = kind;
        if (k == ASYNC) {
            if (self == 1) {
                claimAsync(gen);
            }
            return;
        }
        if (k == SHARES) {
            workShares(gen, self);
            return;
        }
        if (k == PINNED) {
            Task t = task;
            int n = count;
            long s = state.get();
            // The fields belong to call gen only if the state still says gen (it changes before they do).
            if ((int) (s >>> 32) != gen || (int) s == SETTING_UP || t == null) {
                return;
            }
            boolean claims = pinnedClaims.covers(n);
            for (int i = self; i < n; i += threads) {
                if (!claims || pinnedClaims.claim(gen, i)) {
                    runOne(t, i);
                }
            }
            return;
        }
        while (true) {
            long s = state.get();
            if ((int) (s >>> 32) != gen) {
                return;
            }
            int i = (int) s;
            Task t = task;
            if (t == null || i >= count) {
                return;
            }
            if (!state.compareAndSet(s, s + 1)) {
                continue;
            }
            runOne(t, i);
        }
    }

    private void runOne(Task t, int i) {
        try {
            t.run(i);
        } catch (Throwable e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            remaining.decrementAndGet();
        }
    }

    private void workerLoop(int self) {
        int seen = 0;
        while (!closed) {
            long s = state.get();
            int gen = (int) (s >>> 32);
            if (gen != seen && (int) s != SETTING_UP) {
                seen = gen;
                work(gen, self);
                continue;
            }
            if (!Waits.spinForNextCall(state, seen, SPIN_NANOS)) {
                LockSupport.parkNanos(this, 1_000_000L); // until the next call unparks us
            }
        }
    }

    /** A scratch array of at least {@code size} floats, reused between calls (grown, never shrunk). */
    public float[] scratch(int size) {
        return workspace().floats(size);
    }

    /** The kernels' reusable state for the calling thread. */
    Workspace workspace() {
        return this == SEQUENTIAL ? SEQUENTIAL_WORKSPACE.get() : workspace;
    }

    /** Splits [0, total) into chunks of {@code chunk} (the last may be shorter); returns the chunk count. */
    public static int chunks(int total, int chunk) {
        return (total + chunk - 1) / chunk;
    }

    @Override
    public void close() {
        if (this == SEQUENTIAL) {
            return;
        }
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
