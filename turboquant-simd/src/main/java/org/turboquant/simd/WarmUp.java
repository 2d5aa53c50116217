package org.turboquant.simd;

import java.util.SplittableRandom;

/**
 * Gets a matrix's first real product to compiled speed. A JVM runs a kernel interpreted (the Vector API boxes every
 * vector there, ~100× slower) until C2 has compiled it, and a large matrix's first products are where that time
 * goes. Here the same kernel code runs on a slice of the same matrix — its first rows, the real codes, layout and
 * width, so the same kernel paths are taken — until a round of products stops getting faster, bounded in time.
 * Compiled code is shared JVM-wide, so once one matrix of a kind is warm, warming the next costs a few rounds.
 */
public final class WarmUp {
    /** Rows per warm-up product: a multiple of the table kernels' 16-row groups, small enough to be cheap interpreted. */
    private static final int ROWS = 64;
    /** Inputs of the larger warm-up GEMM: a batch the decoded-codes GEMM takes (it starts at 4 inputs). */
    private static final int GEMM_BATCH = 8;
    /** Products per timed round. */
    private static final int ROUND = 16;
    private static final int MIN_ROUNDS = 12, MAX_ROUNDS = 2_000;
    /** Rounds without a 10% gain after which the kernels count as compiled. */
    private static final int STABLE_ROUNDS = 6;
    private static final long MAX_NANOS = 3_000_000_000L;

    private WarmUp() {}

    /**
     * Prepares m ({@link RowKernel#prepare()}), runs GEMV and GEMM on its first rows until they are compiled (at most
     * ~3 s), then one full product of each kind through {@code pool}, so that its range and epilogue code are warm
     * too. Returns the number of warm-up rounds run. Results are discarded; m is not modified.
     */
    public static int run(RowKernel m, ParallelMatmul pool) {
        m.prepare();
        int rows = Math.min(m.rows(), ROWS), cols = m.cols();
        // GEMM of 2 inputs (the GEMV kernels' batch path) and of GEMM_BATCH (large batches' kernel, e.g. DecodeGemm)
        float[] x = gaussian(GEMM_BATCH * cols);
        float[][] big = new float[GEMM_BATCH][];
        float[] out = new float[m.rows()], outs = new float[GEMM_BATCH * m.rows()];
        long deadline = System.nanoTime() + MAX_NANOS;
        long best = Long.MAX_VALUE;
        int round = 0, sinceBest = 0;
        for (; round < MAX_ROUNDS && System.nanoTime() < deadline; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ROUND; i++) {
                m.gemv(m.prepareInput(x, 0), out, 0, rows);
                m.gemm(new float[][] {m.prepareInput(x, 0), m.prepareInput(x, cols)}, outs, 0, rows);
                for (int b = 0; b < GEMM_BATCH; b++) big[b] = m.prepareInput(x, b * cols);
                m.gemm(big, outs, 0, rows);
            }
            long t = System.nanoTime() - t0;
            if (t < best - best / 10) {
                best = t;
                sinceBest = 0;
            } else if (++sinceBest >= STABLE_ROUNDS && round >= MIN_ROUNDS) {
                break;
            }
        }
        float[] bias = new float[m.rows()];
        pool.gemv(m, x, 0, out, 0, bias, true);
        pool.gemm(m, x, 0, 2, outs, 0, bias, true);
        pool.gemm(m, x, 0, GEMM_BATCH, outs, 0, bias, true);
        return round;
    }

    private static float[] gaussian(int n) {
        SplittableRandom random = new SplittableRandom(12);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }
}
