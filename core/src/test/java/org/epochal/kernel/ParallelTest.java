package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** forEach runs every index once per call, back to back, rethrows failures, and allocates nothing. */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOncePerCall() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel par = new Parallel(threads)) {
                // Many short calls back to back: a worker still leaving call g must never take work of g+1.
                for (int call = 0; call < 20_000; call++) {
                    int count = 1 + call % 7;
                    AtomicIntegerArray runs = new AtomicIntegerArray(count);
                    par.forEach(count, runs::incrementAndGet);
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, runs.get(i), "threads=" + threads + " call=" + call + " index=" + i);
                    }
                }
            }
        }
    }

    @Test
    void pinnedTasksRunOnceEachOnTheirOwnThreadOrTheCallers() {
        for (int threads : new int[] {2, 3}) {
            try (Parallel par = new Parallel(threads)) {
                Thread caller = Thread.currentThread();
                Thread[] first = new Thread[7];
                for (int call = 0; call < 20_000; call++) {
                    int count = 1 + call % 7;
                    AtomicIntegerArray runs = new AtomicIntegerArray(count);
                    Thread[] ran = new Thread[count];
                    // Pinned and claimed calls interleave: a worker late from one must not run the other's.
                    if (call % 3 == 0) {
                        par.forEach(count, runs::incrementAndGet);
                        continue;
                    }
                    par.forEachPinned(count, i -> {
                        runs.incrementAndGet(i);
                        ran[i] = Thread.currentThread();
                    });
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, runs.get(i), "threads=" + threads + " call=" + call + " index=" + i);
                        if (i % threads == 0) {
                            assertSame(caller, ran[i], "the caller's own index " + i);
                        } else if (ran[i] != caller) { // (a descheduled worker's runs on the caller)
                            if (first[i] == null) {
                                first[i] = ran[i];
                            }
                            assertSame(first[i], ran[i], "index " + i + " moved to another worker");
                        }
                    }
                }
            }
        }
    }

    @Test
    void aDescheduledThreadsPinnedTasksRunOnTheCaller() {
        try (Parallel par = new Parallel(2)) {
            Thread caller = Thread.currentThread();
            for (int call = 0; call < 20; call++) {
                // The worker's tasks are 1, 3 and 5; it stalls in the first it runs, as a descheduled vCPU
                // would: the caller, done with its own, runs those the worker has not claimed.
                Thread[] ran = new Thread[6];
                AtomicIntegerArray runs = new AtomicIntegerArray(6);
                java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
                par.forEachPinned(6, i -> {
                    runs.incrementAndGet(i);
                    ran[i] = Thread.currentThread();
                    if (ran[i] != caller && stalled.compareAndSet(false, true)) {
                        sleep(50);
                    }
                });
                int byWorker = 0;
                for (int i = 0; i < 6; i++) {
                    assertEquals(1, runs.get(i), "call " + call + " index " + i);
                    byWorker += ran[i] == caller ? 0 : 1;
                }
                assertTrue(byWorker <= 1, "call " + call + ": the stalled worker ran " + byWorker + " tasks");
            }
        }
    }

    @Test
    void slicesCoverTheRangeOnceInOrderOfThreads() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel par = new Parallel(threads)) {
                for (int count : new int[] {0, 1, 2, 5, 64, 1001}) {
                    for (int start : new int[] {0, 7}) { // forSlices(count) and forSlices(start, start + count)
                        AtomicIntegerArray runs = new AtomicIntegerArray(start + count + 1);
                        Parallel.RangeTask body = (from, to) -> {
                            for (int i = from; i < to; i++) {
                                runs.incrementAndGet(i);
                            }
                        };
                        if (start == 0) {
                            par.forSlices(count, body);
                        } else {
                            par.forSlices(start, start + count, body);
                        }
                        for (int i = 0; i < runs.length(); i++) {
                            int expected = i >= start && i < start + count ? 1 : 0;
                            assertEquals(expected, runs.get(i), "threads=" + threads + " count=" + count + " start="
                                    + start + " index=" + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aFailureIsRethrownAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> par.forEach(8, i -> {
                if (i == 5) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            par.forEach(8, runs::incrementAndGet);
            for (int i = 0; i < 8; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    @Test
    void aCallAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] sink = new float[64];
        Parallel.Task task = i -> sink[i] += 1f;
        try (Parallel par = new Parallel(2)) {
            for (int i = 0; i < 20_000; i++) {
                par.forEach(4, task);
            }
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            int calls = 10_000;
            for (int i = 0; i < calls; i++) {
                par.forEach(4, task);
            }
            long perCall = (mx.getThreadAllocatedBytes(tid) - before) / calls;
            // The pool before this design allocated a job and its counters per call (about 100 bytes).
            assertTrue(perCall < 8, perCall + " bytes per call");
        }
    }

    @Test
    void anAsyncCallRunsOnAWorkerAndTheNextCallWaitsForIt() throws Exception {
        for (int threads : new int[] {2, 3}) {
            int onWorker = 0;
            try (Parallel par = new Parallel(threads)) {
                for (int call = 0; call < 2_000; call++) {
                    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
                    Thread[] ran = new Thread[1];
                    par.startAsync(() -> {
                        ran[0] = Thread.currentThread();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        done.incrementAndGet();
                    });
                    // back before the body is done: the body waits for this thread
                    assertEquals(0, done.get());
                    release.countDown();
                    // the caller's own work before it waits (the optimizer's, in training)
                    for (long end = System.nanoTime() + 50_000; System.nanoTime() < end; ) {
                        Thread.onSpinWait();
                    }
                    AtomicIntegerArray runs = new AtomicIntegerArray(5);
                    par.forEach(5, runs::incrementAndGet);
                    assertEquals(1, done.get(), "the next call waited for the async body");
                    onWorker += ran[0] != Thread.currentThread() ? 1 : 0;
                    for (int i = 0; i < 5; i++) {
                        assertEquals(1, runs.get(i));
                    }
                }
            }
            // Whoever claims the body first runs it: the worker, or the caller when it waits for a body the
            // worker has not started (a vCPU descheduled by the host). Which one is timing; that the worker
            // runs bodies at all is not.
            assertTrue(onWorker > 0, onWorker + " of 2,000 bodies ran on the worker");
        }
    }

    @Test
    void sharesRunBesideAnAsyncBodyWhoseWorkerJoinsThemWhenDone() {
        try (Parallel par = new Parallel(2)) {
            int overlapped = 0;
            for (int call = 0; call < 200; call++) {
                java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
                par.startAsync(() -> {
                    for (long end = System.nanoTime() + 200_000; System.nanoTime() < end; ) {
                        Thread.onSpinWait();
                    }
                    done.set(true);
                });
                AtomicIntegerArray runs = new AtomicIntegerArray(30);
                par.forShares(30, 1, (from, to) -> runs.incrementAndGet(from));
                overlapped += done.get() ? 0 : 1;
                for (int i = 0; i < 30; i++) {
                    assertEquals(1, runs.get(i), "call " + call + " chunk " + i);
                }
                par.awaitAsync();
                assertTrue(done.get(), "awaitAsync waited for the body");
            }
            assertTrue(overlapped > 100, overlapped + " of 200 share calls returned before the async body ended");
            // a failing body is rethrown by the wait, after shares that ran beside it
            par.startAsync(() -> {
                throw new IllegalStateException("boom");
            });
            par.forShares(4, 1, (from, to) -> { });
            assertThrows(IllegalStateException.class, par::awaitAsync);
        }
    }

    @Test
    void anAsyncFailureIsRethrownByTheWaitAndOneThreadRunsTheBodyAtOnce() {
        try (Parallel par = new Parallel(2)) {
            par.startAsync(() -> {
                throw new IllegalStateException("boom");
            });
            assertThrows(IllegalStateException.class, par::awaitAsync);
            par.awaitAsync(); // nothing left to wait for
        }
        int[] ran = new int[1];
        Parallel.SEQUENTIAL.startAsync(() -> ran[0]++);
        assertEquals(1, ran[0]);
    }

    @Test
    void sharesRunEveryChunkOnceAmongOtherKindsOfCalls() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel par = new Parallel(threads)) {
                // Many short calls back to back, other kinds between them: a worker late from one call
                // must never run a chunk of the next with the wrong bounds, nor a chunk twice.
                for (int call = 0; call < 20_000; call++) {
                    int count = 1 + call % 37;
                    int grain = 1 + call % 5;
                    AtomicIntegerArray runs = new AtomicIntegerArray(count);
                    par.forShares(count, grain, (from, to) -> {
                        // chunk bounds (one thread: the whole range at once)
                        assertTrue(from % grain == 0 && from < to && (to - from <= grain || threads == 1), from + ".." + to);
                        for (int i = from; i < to; i++) {
                            runs.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, runs.get(i), "threads=" + threads + " call=" + call + " index=" + i);
                    }
                    if (call % 3 == 1) {
                        par.forEach(3, i -> { });
                    } else if (call % 3 == 2) {
                        par.forSlices(5, (from, to) -> { });
                    }
                }
            }
        }
    }

    @Test
    void aLateThreadsShareIsTakenOverAndEachThreadStartsOnItsOwn() {
        try (Parallel par = new Parallel(2)) {
            Thread caller = Thread.currentThread();
            int chunks = 40;
            int[] byCaller = new int[1];
            // The worker stalls in its first chunk (a descheduled vCPU): the caller, done with its own share,
            // runs the rest of the worker's instead of waiting for it.
            java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
            par.forShares(chunks, 1, (from, to) -> {
                runs.incrementAndGet(from);
                if (Thread.currentThread() == caller) {
                    byCaller[0]++;
                } else if (stalled.compareAndSet(false, true)) {
                    sleep(200);
                }
            });
            for (int i = 0; i < chunks; i++) {
                assertEquals(1, runs.get(i), "chunk " + i);
            }
            if (stalled.get()) {
                assertEquals(chunks - 1, byCaller[0], "the caller took over all but the stalled chunk");
            }
            // No stall: each thread starts on its own share, the caller at chunk 0 and the worker at chunk 20.
            // Each thread's first chunk waits until the other has claimed one (a vCPU waking can take longer
            // than a share on a busy host), so where they go on from there is timing, but their first chunks
            // are not: chunks claimed in turns from one counter would give one of them chunk 1.
            int calls = 500;
            for (int call = 0; call < calls; call++) {
                java.util.concurrent.atomic.AtomicInteger workerFirst = new java.util.concurrent.atomic.AtomicInteger(-1);
                java.util.concurrent.atomic.AtomicInteger callerFirst = new java.util.concurrent.atomic.AtomicInteger(-1);
                par.forShares(chunks, 1, (from, to) -> {
                    boolean isCaller = Thread.currentThread() == caller;
                    (isCaller ? callerFirst : workerFirst).compareAndSet(-1, from);
                    java.util.concurrent.atomic.AtomicInteger other = isCaller ? workerFirst : callerFirst;
                    for (long wait = System.nanoTime() + 1_000_000_000L; other.get() < 0
                            && System.nanoTime() < wait; ) {
                        Thread.onSpinWait();
                    }
                });
                assertEquals(0, callerFirst.get(), "call " + call + ": the caller's first chunk");
                assertEquals(chunks / 2, workerFirst.get(), "call " + call + ": the worker's first chunk");
            }
        }
    }

    @Test
    void aSharesFailureIsRethrownAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            assertThrows(IllegalStateException.class, () -> par.forShares(100, 3, (from, to) -> {
                if (from <= 50 && 50 < to) {
                    throw new IllegalStateException("boom");
                }
            }));
            AtomicIntegerArray runs = new AtomicIntegerArray(10);
            par.forShares(10, 2, (from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
