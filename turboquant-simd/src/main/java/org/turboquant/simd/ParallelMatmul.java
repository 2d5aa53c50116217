package org.turboquant.simd;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;

/**
 * Products split over row ranges on a bounded pool. Each output row is computed by exactly one task with the same
 * arithmetic as a single-threaded call, so results are bit-identical whatever the number of threads, and any number
 * of callers may share one instance and one matrix.
 */
public final class ParallelMatmul implements AutoCloseable {
    /** Rows below which splitting costs more than it saves. */
    private static final int MIN_ROWS_PER_TASK = 64;

    /**
     * How long an idle worker, and a caller waiting for the other ranges, poll before parking. Waking a parked thread
     * costs tens of microseconds on the 2-core VM, as much as a whole 1-bit 4096² GEMV's half; a model's products
     * follow each other closely, so a short spin usually catches the next task.
     */
    private static final long SPIN_NANOS = 100_000;

    private static final class DefaultHolder {
        static final ParallelMatmul INSTANCE =
                new ParallelMatmul(Runtime.getRuntime().availableProcessors(), TurboQuantKernels.get(), true);
    }

    private final int threads;
    private final ExecutorService pool;
    private final TurboQuantKernels kernels;
    private final boolean shared;

    /** Products on {@code threads} threads (the caller plus threads − 1 daemon workers) with the selected kernels. */
    public ParallelMatmul(int threads) {
        this(threads, TurboQuantKernels.get());
    }

    public ParallelMatmul(int threads, TurboQuantKernels kernels) {
        this(threads, kernels, false);
    }

    private ParallelMatmul(int threads, TurboQuantKernels kernels, boolean shared) {
        this.shared = shared;
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.kernels = kernels;
        AtomicInteger n = new AtomicInteger();
        // threads − 1 workers: the calling thread takes a range too, and an idle extra worker would spin on a core
        this.pool = threads == 1 ? null : new ThreadPoolExecutor(threads - 1, threads - 1, 0, TimeUnit.MILLISECONDS,
                new SpinningQueue(), r -> {
            Thread t = new Thread(r, "turboquant-matmul-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The JVM-wide instance with one thread per available processor. */
    public static ParallelMatmul shared() {
        return DefaultHolder.INSTANCE;
    }

    public int threads() {
        return threads;
    }

    public TurboQuantKernels kernels() {
        return kernels;
    }

    /** y = W·x over all rows. */
    public void gemv(QuantizedMatrix m, float[] x, float[] y) {
        gemv(m.rows(), m.cols(), x, y, off -> kernels.rotateInput(m, x, off),
                (rotated, start, end) -> kernels.gemvRotated(m, rotated, y, start, end));
    }

    /** Y = W·X for {@code batch} row-major input vectors; Y is batch × rows. */
    public void gemm(QuantizedMatrix m, float[] x, int batch, float[] y) {
        gemm(m.rows(), m.cols(), x, batch, y, off -> kernels.rotateInput(m, x, off),
                (rotated, ys, start, end) -> kernels.gemmRotated(m, rotated, ys, start, end));
    }

    /** y = W·x over all rows of a mixed-width matrix. */
    public void gemv(MixedQuantizedMatrix m, float[] x, float[] y) {
        gemv(m.rows(), m.cols(), x, y, off -> kernels.rotateInput(m, x, off),
                (rotated, start, end) -> kernels.gemvRotated(m, rotated, y, start, end));
    }

    /** Y = W·X for {@code batch} row-major input vectors and a mixed-width matrix; Y is batch × rows. */
    public void gemm(MixedQuantizedMatrix m, float[] x, int batch, float[] y) {
        gemm(m.rows(), m.cols(), x, batch, y, off -> kernels.rotateInput(m, x, off),
                (rotated, ys, start, end) -> kernels.gemmRotated(m, rotated, ys, start, end));
    }

    private interface RotatedGemv {
        void run(float[] rotated, int start, int end);
    }

    private interface RotatedGemm {
        void run(float[][] rotated, float[] y, int start, int end);
    }

    /** The input rotated once (not once per row range), then the rows split over the pool. */
    private void gemv(int rows, int cols, float[] x, float[] y, java.util.function.IntFunction<float[]> rotate,
                      RotatedGemv product) {
        checkLength("x", x.length, cols);
        checkLength("y", y.length, rows);
        float[] rotated = rotate.apply(0);
        forRowRanges(rows, (start, end) -> product.run(rotated, start, end));
    }

    /** Batches of at most 64 inputs, each rotated once, then the rows split over the pool. */
    private void gemm(int rows, int cols, float[] x, int batch, float[] y, java.util.function.IntFunction<float[]> rotate,
                      RotatedGemm product) {
        checkLength("X", x.length, (long) batch * cols);
        checkLength("Y", y.length, (long) batch * rows);
        for (int b0 = 0; b0 < batch; b0 += 64) {
            int nb = Math.min(64, batch - b0);
            float[][] rotated = new float[nb][];
            for (int b = 0; b < nb; b++) rotated[b] = rotate.apply((b0 + b) * cols);
            float[] ys = new float[nb * rows];
            forRowRanges(rows, (start, end) -> product.run(rotated, ys, start, end));
            System.arraycopy(ys, 0, y, b0 * rows, ys.length);
        }
    }

    /** Work on the rows [start, end) of an output. */
    @FunctionalInterface
    public interface RowRangeTask {
        void run(int start, int end);
    }

    /**
     * Runs {@code task} over contiguous row ranges covering [0, rows), one per thread, and returns when all are done.
     * Exposed so other row-parallel kernels (the baselines) share the pool. Range boundaries are multiples of 16 rows
     * (the table kernels' row groups), so no group is computed by two threads.
     */
    public void forRowRanges(int rows, RowRangeTask task) {
        int tasks = Math.min(threads, Math.max(1, rows / MIN_ROWS_PER_TASK));
        if (tasks == 1 || pool == null) {
            task.run(0, rows);
            return;
        }
        RangeJob job = new RangeJob(rows, tasks, task);
        for (int t = 1; t < tasks; t++) pool.execute(job);
        job.run(); // the caller claims ranges too, so a range no worker has started yet is never waited for
        job.awaitAll();
    }

    /** The ranges of one call, claimed in order by whichever thread comes first. */
    private static final class RangeJob implements Runnable {
        private final int rows, tasks;
        private final RowRangeTask task;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        private volatile Throwable failure;

        RangeJob(int rows, int tasks, RowRangeTask task) {
            this.rows = rows;
            this.tasks = tasks;
            this.task = task;
        }

        private int start(int i) {
            return i == tasks ? rows : (int) ((long) rows * i / tasks) & ~15;
        }

        @Override
        public void run() {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                try {
                    task.run(start(i), start(i + 1));
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    if (finished.incrementAndGet() == tasks && Thread.currentThread() != caller) LockSupport.unpark(caller);
                }
            }
        }

        /** Spins briefly, then parks, until every range is done; rethrows the first failure. */
        void awaitAll() {
            for (long deadline = System.nanoTime() + SPIN_NANOS; finished.get() < tasks && System.nanoTime() < deadline; )
                Thread.onSpinWait();
            boolean interrupted = false;
            while (finished.get() < tasks) { // workers still write into the output: wait for them even if interrupted
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) Thread.currentThread().interrupt();
            Throwable e = failure;
            if (e instanceof RuntimeException re) throw re;
            if (e instanceof Error err) throw err;
            if (e != null) throw new IllegalStateException(e);
        }
    }

    /** A task queue whose idle workers poll for {@link #SPIN_NANOS} before blocking. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        @Override
        public Runnable take() throws InterruptedException {
            for (long deadline = System.nanoTime() + SPIN_NANOS; System.nanoTime() < deadline; ) {
                Runnable r = poll();
                if (r != null) return r;
                Thread.onSpinWait();
            }
            return super.take();
        }
    }

    private static void checkLength(String what, long actual, long expected) {
        if (actual < expected)
            throw new IllegalArgumentException(what + " has " + actual + " elements, needs " + expected);
    }

    @Override
    public void close() {
        if (pool != null && !shared) pool.shutdown(); // the shared pool lives as long as the JVM
    }
}
