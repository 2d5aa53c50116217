package org.turboquant.simd;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;

/**
 * Products split over row ranges on a bounded pool. Each output row is computed by exactly one task with the same
 * arithmetic as a single-threaded call, so results are bit-identical whatever the number of threads, and any number
 * of callers may share one instance and one matrix.
 */
public final class ParallelMatmul implements AutoCloseable {
    /** Row ranges start at multiples of this: whole 16-row groups of the table kernels. */
    private static final int GROUP_ROWS = 16;

    /** Rows below which splitting costs more than it saves. */
    private static final int MIN_ROWS_PER_TASK = 64;

    /** Inputs rotated and multiplied together at most (the kernels' GEMM batch limit). */
    private static final int MAX_BATCH = 64;

    /**
     * How long an idle worker, and a caller waiting for the other ranges, poll before parking. Waking a parked thread
     * costs tens of microseconds on the 2-core VM, as much as a whole 1-bit 4096² GEMV's half; a model's products
     * follow each other closely, so a short spin usually catches the next task.
     */
    private static final long SPIN_NANOS = 100_000;

    /**
     * With {@code -Dturboquant.parallelStats=true}, every split call counts where its time went ({@link #handOffStats}):
     * off by default, a constant the JIT folds away.
     */
    private static final boolean STATS = Boolean.getBoolean("turboquant.parallelStats");
    private static final LongAdder SPLIT_CALLS = new LongAdder(), CALLER_RANGES = new LongAdder(),
            WORKER_RANGES = new LongAdder(), CALLER_WAIT_NANOS = new LongAdder(), HAND_OFF_NANOS = new LongAdder(),
            HAND_OFFS = new LongAdder();

    /**
     * What the split calls cost since the last reset (all zeros unless {@code -Dturboquant.parallelStats=true}).
     *
     * @param splitCalls      calls split over more than one thread
     * @param callerRanges    ranges the calling thread ran (its own, and any no worker had started)
     * @param workerRanges    ranges a worker ran
     * @param callerWaitNanos time callers spent waiting for workers' ranges after finishing their own
     * @param handOffNanos    summed time from a call's start to a worker starting its first range of it
     * @param handOffs        calls a worker joined at all
     */
    public record HandOffStats(long splitCalls, long callerRanges, long workerRanges, long callerWaitNanos,
                               long handOffNanos, long handOffs) { }

    public static HandOffStats handOffStats() {
        return new HandOffStats(SPLIT_CALLS.sum(), CALLER_RANGES.sum(), WORKER_RANGES.sum(), CALLER_WAIT_NANOS.sum(),
                HAND_OFF_NANOS.sum(), HAND_OFFS.sum());
    }

    public static void resetHandOffStats() {
        for (LongAdder a : new LongAdder[] {SPLIT_CALLS, CALLER_RANGES, WORKER_RANGES, CALLER_WAIT_NANOS, HAND_OFF_NANOS, HAND_OFFS})
            a.reset();
    }

    private static final class DefaultHolder {
        static final ParallelMatmul INSTANCE =
                new ParallelMatmul(Runtime.getRuntime().availableProcessors(), TurboQuantKernels.get(), true);
    }

    private final int threads;
    /** Runs the ranges other than the caller's; null for one thread. */
    private final Executor pool;
    /** The pool this instance created and shuts down on close; null when shared or the caller's. */
    private final ExecutorService ownPool;
    private final TurboQuantKernels kernels;

    /** Products on {@code threads} threads (the caller plus threads − 1 daemon workers) with the selected kernels. */
    public ParallelMatmul(int threads) {
        this(threads, TurboQuantKernels.get());
    }

    public ParallelMatmul(int threads, TurboQuantKernels kernels) {
        this(threads, kernels, false);
    }

    private ParallelMatmul(int threads, TurboQuantKernels kernels, boolean shared) {
        checkThreads(threads);
        this.threads = threads;
        this.kernels = kernels;
        AtomicInteger n = new AtomicInteger();
        // threads − 1 workers: the calling thread takes a range too, and an idle extra worker would spin on a core
        ExecutorService workers = threads == 1 ? null : new ThreadPoolExecutor(threads - 1, threads - 1, 0,
                TimeUnit.MILLISECONDS, new SpinningQueue(), r -> {
            Thread t = new Thread(r, "turboquant-matmul-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.pool = workers;
        this.ownPool = shared ? null : workers; // the shared pool lives as long as the JVM
    }

    private ParallelMatmul(int threads, Executor executor) {
        checkThreads(threads);
        this.threads = threads;
        this.kernels = TurboQuantKernels.get();
        this.pool = threads == 1 ? null : Objects.requireNonNull(executor, "executor");
        this.ownPool = null;
    }

    /** The same threads and pool, shared with {@code threadsOf}, with other kernels. */
    private ParallelMatmul(ParallelMatmul threadsOf, TurboQuantKernels kernels) {
        this.threads = threadsOf.threads;
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.pool = threadsOf.pool;
        this.ownPool = threadsOf.ownPool;
    }

    /**
     * Products on this instance's threads with {@code kernels} instead, e.g. {@code kernels().withMode(INT8)}: the
     * pool is shared, not copied, so closing either instance stops a pool this one created (never the shared pool
     * nor a caller's executor).
     */
    public ParallelMatmul withKernels(TurboQuantKernels kernels) {
        return kernels == this.kernels ? this : new ParallelMatmul(this, kernels);
    }

    /** The JVM-wide instance with one thread per available processor. */
    public static ParallelMatmul shared() {
        return DefaultHolder.INSTANCE;
    }

    /** Products on {@code threads} threads of a pool of its own (close it to stop the workers). */
    public static ParallelMatmul withThreads(int threads) {
        return new ParallelMatmul(threads);
    }

    /**
     * Products split into {@code threads} row ranges: the calling thread takes ranges itself and hands
     * {@code threads} − 1 tasks to the caller's {@code executor}, which this instance never shuts down. A range no
     * executor thread has started when the caller runs out of work is done by the caller, so a busy (or saturated,
     * or rejecting) executor slows products down but never blocks them.
     */
    public static ParallelMatmul on(ExecutorService executor, int threads) {
        return new ParallelMatmul(threads, executor);
    }

    public int threads() {
        return threads;
    }

    public TurboQuantKernels kernels() {
        return kernels;
    }

    /** y = W·x over all rows. */
    public void gemv(QuantizedMatrix m, float[] x, float[] y) {
        gemv(TurboQuantRows.of(kernels, m), x, 0, y, 0, null, false);
    }

    /** Y = W·X for {@code batch} row-major input vectors; Y is batch × rows. */
    public void gemm(QuantizedMatrix m, float[] x, int batch, float[] y) {
        gemm(TurboQuantRows.of(kernels, m), x, 0, batch, y, 0, null, false);
    }

    /** y = W·x over all rows of a mixed-width matrix. */
    public void gemv(MixedQuantizedMatrix m, float[] x, float[] y) {
        gemv(TurboQuantRows.of(kernels, m), x, 0, y, 0, null, false);
    }

    /** Y = W·X for {@code batch} row-major input vectors and a mixed-width matrix; Y is batch × rows. */
    public void gemm(MixedQuantizedMatrix m, float[] x, int batch, float[] y) {
        gemm(TurboQuantRows.of(kernels, m), x, 0, batch, y, 0, null, false);
    }

    /**
     * y[yOff + r] = (accumulate ? y[yOff + r] : 0) + row r · x[xOff ..] + (bias == null ? 0 : bias[r]) for every row:
     * the input prepared once (not once per row range), the rows split over the pool, each range finished (bias,
     * accumulate) by the thread that computed it.
     *
     * @throws IndexOutOfBoundsException when x or y does not hold the range used
     * @throws IllegalArgumentException  when bias is not rows long
     */
    public void gemv(RowKernel m, float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        int rows = m.rows();
        ProductArgs.check("x", x.length, xOff, m.cols());
        ProductArgs.check("y", y.length, yOff, rows);
        ProductArgs.checkBias(bias, rows);
        float[] input = m.prepareInput(x, xOff);
        boolean direct = yOff == 0 && bias == null && !accumulate;
        float[] out = direct ? y : new float[rows];
        forRowRanges(rows, (start, end) -> {
            m.gemv(input, out, start, end);
            if (!direct) finish(out, 0, y, yOff, rows, 1, bias, accumulate, start, end);
        });
    }

    /**
     * The same for {@code batch} inputs at x[xOff + b·cols + c], outputs at y[yOff + b·rows + r]: batches of at most
     * 64 inputs, each prepared once, then the rows split over the pool.
     */
    public void gemm(RowKernel m, float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        int rows = m.rows(), cols = m.cols();
        if (batch < 0) throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        ProductArgs.check("x", x.length, xOff, (long) batch * cols);
        ProductArgs.check("y", y.length, yOff, (long) batch * rows);
        ProductArgs.checkBias(bias, rows);
        for (int b0 = 0; b0 < batch; b0 += MAX_BATCH) {
            int nb = Math.min(MAX_BATCH, batch - b0);
            float[][] inputs = new float[nb][];
            int first = b0;
            // the inputs' rotations (FWHT) split over the threads too: serial, they left the pool idle. A team's
            // members each rotate all of them (a few microseconds) into their own array: no barrier, no hand-off.
            RowRangeTask rotate = (start, end) -> {
                for (int b = start; b < end; b++) inputs[b] = m.prepareInput(x, xOff + (first + b) * cols);
            };
            if (teamOf(this) != null) rotate.run(0, nb);
            else forRanges(nb, Math.min(threads, nb), 1, rotate);
            float[] ys = new float[nb * rows];
            int yChunk = yOff + b0 * rows;
            forRowRanges(rows, (start, end) -> {
                m.gemm(inputs, ys, start, end);
                finish(ys, 0, y, yChunk, rows, nb, bias, accumulate, start, end);
            });
        }
    }

    /** y[yOff + b·rows + r] = (accumulate ? y[..] : 0) + out[outOff + b·rows + r] + bias[r], rows [start, end). */
    private static void finish(float[] out, int outOff, float[] y, int yOff, int rows, int batch, float[] bias,
                               boolean accumulate, int start, int end) {
        for (int b = 0; b < batch; b++) {
            int o = outOff + b * rows, t = yOff + b * rows;
            // one branch-free loop per case, so that each can vectorize (this copy-out with per-element branches
            // took 3 % of a batch-1 forward's JFR samples); the sums keep the order (y + out) + bias
            if (accumulate && bias != null) for (int r = start; r < end; r++) y[t + r] = y[t + r] + out[o + r] + bias[r];
            else if (accumulate) for (int r = start; r < end; r++) y[t + r] += out[o + r];
            else if (bias != null) for (int r = start; r < end; r++) y[t + r] = out[o + r] + bias[r];
            else System.arraycopy(out, o + start, y, t + start, end - start);
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
        forRanges(rows, Math.min(threads, Math.max(1, rows / MIN_ROWS_PER_TASK)), GROUP_ROWS, task);
    }

    /** [0, n) in {@code tasks} contiguous ranges whose inner boundaries are multiples of {@code align} (a power of 2). */
    private void forRanges(int n, int tasks, int align, RowRangeTask task) {
        Team team = teamOf(this);
        if (team != null) { // every member calls: each its share, then all wait for the whole
            task.run(team.start(n, align), team.end(n, align));
            team.barrier();
            return;
        }
        if (tasks <= 1 || pool == null) {
            task.run(0, n);
            return;
        }
        RangeJob job = new RangeJob(n, tasks, align, task);
        try {
            for (int t = 1; t < tasks; t++) pool.execute(job);
        } catch (RejectedExecutionException e) {
            // a caller's executor that is shut down or full: the caller claims the ranges nobody else will
        }
        job.run(); // the caller claims ranges too, so a range no worker has started yet is never waited for
        if (STATS) {
            long t0 = System.nanoTime();
            job.awaitAll();
            CALLER_WAIT_NANOS.add(System.nanoTime() - t0);
            SPLIT_CALLS.increment();
        } else {
            job.awaitAll();
        }
    }

    /** Work that every member of a {@link Team} runs, each on its share. */
    @FunctionalInterface
    public interface TeamBody {
        void run(Team team);
    }

    /** The team the current thread is a member of, while it runs a {@link TeamBody}; null otherwise. */
    private static final ThreadLocal<Team> CURRENT_TEAM = new ThreadLocal<>();

    /** How long the caller waits for the pool's threads to join a team before it runs with those that came. */
    private static final long JOIN_NANOS = 100_000;

    /** The current thread's team if its products split over {@code pm}'s threads (the same pool), else null. */
    private static Team teamOf(ParallelMatmul pm) {
        Team t = CURRENT_TEAM.get();
        return t != null && t.pool() != null && t.pool().pool == pm.pool ? t : null;
    }

    /**
     * Runs {@code body} on a team of this instance's threads: the caller is member 0, and each of the threads − 1
     * tasks handed to the pool (or the caller's executor) that starts within ~100 µs joins as the next member; one
     * that starts later does nothing, so a busy executor makes a smaller team (down to the caller alone), never a
     * wait. Every member runs the whole body; products of this instance that every member calls inside it split
     * their rows over the members and end at a {@link Team#barrier()} (no hand-off per product), and the body splits
     * its other steps itself ({@link Team#start}, {@link Team#end}, {@link Team#barrier}). Members must call the same
     * products and barriers in the same order. Returns when every member is done; the first failure is rethrown
     * (the other members leave at their next barrier). Called inside a team, the body runs on the caller alone, its
     * products handed to the pool as outside one.
     */
    public void runAsTeam(TeamBody body) {
        Team outer = CURRENT_TEAM.get();
        if (outer != null) {
            CURRENT_TEAM.remove();
            try {
                body.run(Team.SOLO);
            } finally {
                CURRENT_TEAM.set(outer);
            }
            return;
        }
        if (pool == null) {
            body.run(Team.SOLO);
            return;
        }
        TeamJoin join = new TeamJoin();
        Runnable member = () -> {
            int index = join.join();
            if (index < 0) return; // too late: the team started without this thread
            Team.Shared shared;
            while ((shared = join.shared) == null) Thread.onSpinWait();
            runMember(new Team(index, shared), body);
        };
        try {
            for (int t = 1; t < threads; t++) pool.execute(member);
        } catch (RejectedExecutionException e) {
            // a caller's executor that is shut down or full: a smaller team
        }
        for (long deadline = System.nanoTime() + JOIN_NANOS; join.joined() < threads && System.nanoTime() < deadline; )
            Thread.onSpinWait();
        Team.Shared shared = new Team.Shared(join.close(), this);
        join.shared = shared;
        Team team = new Team(0, shared);
        Throwable failure = runMember(team, body);
        if (failure instanceof Team.TeamAbortedException && shared.failure != null) failure = shared.failure;
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** One member's run of the body and its closing barrier; returns its failure (recorded for the others) or null. */
    private static Throwable runMember(Team team, TeamBody body) {
        CURRENT_TEAM.set(team);
        try {
            body.run(team);
            team.barrier(); // the caller returns only when every member is done
            return null;
        } catch (Throwable e) {
            team.fail(e);
            return e;
        } finally {
            CURRENT_TEAM.remove();
        }
    }

    /** Members joining a team: a count that the caller closes (negated) when the team starts. */
    private static final class TeamJoin {
        private final AtomicInteger state = new AtomicInteger(1); // the caller is member 0
        volatile Team.Shared shared;

        /** This thread's member index, or −1 when the team has started without it. */
        int join() {
            for (int v; (v = state.get()) > 0; )
                if (state.compareAndSet(v, v + 1)) return v;
            return -1;
        }

        int joined() {
            return Math.abs(state.get());
        }

        /** Closes the team to late joiners; returns its size. */
        int close() {
            for (int v; ; )
                if (state.compareAndSet(v = state.get(), -v)) return v;
        }
    }

    /** The ranges of one call, claimed in order by whichever thread comes first. */
    private static final class RangeJob implements Runnable {
        private final int rows, tasks, align;
        private final RowRangeTask task;
        private final Thread caller = Thread.currentThread();
        private final long created = STATS ? System.nanoTime() : 0;
        private final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        private volatile Throwable failure;

        RangeJob(int rows, int tasks, int align, RowRangeTask task) {
            this.rows = rows;
            this.tasks = tasks;
            this.align = align;
            this.task = task;
        }

        private int start(int i) {
            return i == tasks ? rows : (int) ((long) rows * i / tasks) & -align;
        }

        @Override
        public void run() {
            boolean first = true;
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                if (STATS) {
                    boolean byCaller = Thread.currentThread() == caller;
                    (byCaller ? CALLER_RANGES : WORKER_RANGES).increment();
                    if (!byCaller && first) {
                        HAND_OFF_NANOS.add(System.nanoTime() - created);
                        HAND_OFFS.increment();
                    }
                    first = false;
                }
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

    private static void checkThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    @Override
    public void close() {
        if (ownPool != null) ownPool.shutdown(); // never the shared pool nor a caller's executor
    }
}
