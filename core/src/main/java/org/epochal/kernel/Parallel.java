package org.epochal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Also owns a growable scratch array for kernels that pack operands (one caller thread at a time).
 */
public final class Parallel implements AutoCloseable {
    /** Runs everything on the calling thread. */
    public static final Parallel SEQUENTIAL = new Parallel(1);

    /** One unit of work, by index. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    /** One forEach call: its own counters, so a late worker can never mix two calls. */
    private static final class Job {
        final Task task;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        volatile Throwable failure;

        Job(Task task, int count) {
            this.task = task;
            this.count = count;
            this.remaining = new AtomicInteger(count);
        }

        /** Takes tasks until none are left. */
        void work() {
            int i;
            while ((i = next.getAndIncrement()) < count) {
                try {
                    task.run(i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    remaining.decrementAndGet();
                }
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private final Thread[] parked;
    private volatile Job current;
    private volatile boolean closed;
    private float[] scratch = new float[0];

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            Thread t = new Thread(this::workerLoop, "epochal-worker-" + (w + 1));
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
        if (threads == 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        Job job = new Job(task, count);
        current = job;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        job.work();
        int spins = 0;
        while (job.remaining.get() > 0) {
            if (++spins < 20_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        if (job.failure != null) {
            Throwable f = job.failure;
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(f);
        }
    }

    private void workerLoop() {
        Job seen = null;
        while (!closed) {
            Job job = current;
            if (job != null && job != seen) {
                seen = job;
                job.work();
                continue;
            }
            // Spin briefly (batches come back to back), then park until the next forEach unparks us.
            boolean found = false;
            for (int s = 0; s < 2_000 && !found; s++) {
                Thread.onSpinWait();
                found = current != seen;
            }
            if (!found) {
                LockSupport.parkNanos(this, 1_000_000L);
            }
        }
    }

    /** A scratch array of at least {@code size} floats, reused between calls (grown, never shrunk). */
    public float[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new float[size];
        }
        return scratch;
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
