package org.turboquant.runtime;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall-clock time of each phase of {@link BertEncoder}'s forward passes, summed over the calls it is passed to, for
 * finding where the time of a batch goes (bench/forward-phases.sh). One instance per calling thread; when the forward
 * runs on a team of threads, the times are those of the calling thread (which waits for the team at every phase's
 * end, so they add up to the wall clock).
 */
public final class ForwardPhases {
    /** The phases, in forward order; a dense phase includes its bias, residual and the products' thread hand-off. */
    public enum Phase {
        EMBEDDINGS, QKV, ATTENTION, ATTENTION_OUTPUT, ATTENTION_NORM, INTERMEDIATE, GELU, OUTPUT, OUTPUT_NORM, POOLING
    }

    private final long[] nanos = new long[Phase.values().length];
    private long last;
    private long calls;

    /** The clock starts (a forward begins). */
    void start() {
        calls++;
        last = System.nanoTime();
    }

    /** The time since the last mark (or start) is {@code phase}'s. */
    void mark(Phase phase) {
        long now = System.nanoTime();
        nanos[phase.ordinal()] += now - last;
        last = now;
    }

    /** Forwards timed. */
    public long calls() { return calls; }

    /** Nanoseconds per phase, summed over the forwards timed. */
    public Map<Phase, Long> nanos() {
        Map<Phase, Long> m = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) m.put(p, nanos[p.ordinal()]);
        return m;
    }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        calls = 0;
    }
}
