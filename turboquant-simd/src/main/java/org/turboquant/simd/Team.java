package org.turboquant.simd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run one piece of work together, each the same code on its share ({@link ParallelMatmul#runAsTeam}):
 * member {@link #index()} of {@link #size()}, meeting at {@link #barrier()} between steps. Inside a team, a
 * {@link ParallelMatmul} product called by every member splits its rows over the members and ends at a barrier, in
 * place of a hand-off to the pool per product: a small model's forward at batch 1 is ~40 products of tens of
 * microseconds each, where the hand-off cost as much as the work (docs/BENCHMARKS.md, "Where the time goes").
 */
public final class Team {
    /** A team of one: every range is the whole, barriers return at once. */
    public static final Team SOLO = new Team(0, new Shared(1, null));

    /** Spin this long at a barrier before yielding the core between polls. */
    private static final long SPIN_NANOS = 200_000;

    private final int index;
    private final Shared shared;
    private int sense;

    Team(int index, Shared shared) {
        this.index = index;
        this.shared = shared;
    }

    /** What the members share: their number, the barrier, the first failure. */
    static final class Shared {
        final int size;
        final ParallelMatmul pool;
        final AtomicInteger arrived = new AtomicInteger();
        volatile int phase;
        volatile Throwable failure;

        Shared(int size, ParallelMatmul pool) {
            this.size = size;
            this.pool = pool;
        }
    }

    public int index() { return index; }

    public int size() { return shared.size; }

    /** The pool whose products split over this team (null for {@link #SOLO}). */
    ParallelMatmul pool() { return shared.pool; }

    /** This member's share of [0, n): contiguous, boundaries at multiples of {@code align} (a power of 2). */
    public int start(int n, int align) {
        return start(index, n, align);
    }

    public int end(int n, int align) {
        return start(index + 1, n, align);
    }

    private int start(int i, int n, int align) {
        return i >= shared.size ? n : (int) ((long) n * i / shared.size) & -align;
    }

    /**
     * Waits until every member has arrived; what any member wrote before it is then visible to all. Throws when
     * another member failed (so no member waits for one that will never come).
     */
    public void barrier() {
        Shared s = shared;
        if (s.size == 1) return;
        int next = sense + 1;
        sense = next;
        if (s.arrived.incrementAndGet() == s.size) {
            s.arrived.set(0);
            s.phase = next; // the volatile write publishes every member's writes before the barrier
            return;
        }
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (s.phase != next) {
            if (s.failure != null) throw new TeamAbortedException(s.failure);
            if (System.nanoTime() < deadline) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    /** Records a member's failure; the others leave their next barrier with {@link TeamAbortedException}. */
    void fail(Throwable e) {
        Shared s = shared;
        if (s.failure == null) s.failure = e;
    }

    /** Thrown at a barrier in the members other than the one that failed. */
    static final class TeamAbortedException extends RuntimeException {
        TeamAbortedException(Throwable cause) {
            super("another member of the team failed", cause, false, false);
        }
    }
}
