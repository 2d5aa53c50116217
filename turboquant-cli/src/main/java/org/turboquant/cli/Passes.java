package org.turboquant.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Timed passes of one embedding job over the same texts: the first pass pays for JIT compilation and first-touch
 * work, so a speed figure is quoted from a later one.
 *
 * @param vectors      the last pass's vectors
 * @param nanos        wall time of each pass
 * @param loadingNanos from the given start to the first pass (model, pack, tokenizer, session)
 */
record Passes(float[][] vectors, long[] nanos, long loadingNanos) {

    static Passes run(int passes, long startNanos, Callable<float[][]> job) throws Exception {
        long[] nanos = new long[passes];
        float[][] vectors = null;
        long loading = System.nanoTime() - startNanos;
        for (int p = 0; p < passes; p++) {
            long t = System.nanoTime();
            try {
                vectors = job.call();
            } catch (ExecutionException e) { // a pool's wrapper: the job's own failure is the message
                if (e.getCause() instanceof Exception cause) throw cause;
                throw e;
            }
            nanos[p] = System.nanoTime() - t;
        }
        return new Passes(vectors, nanos, loading);
    }
}
