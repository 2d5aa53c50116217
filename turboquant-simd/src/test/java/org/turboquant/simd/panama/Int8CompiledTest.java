package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.TestMatrices;

/**
 * A guard for how the int8 kernel compiles, not a timing: once C2 has compiled it, a product allocates its per-call
 * arrays and (almost) nothing per row group and block. A vector value that crosses an out-of-line call is boxed on the
 * heap, so heap allocation per (group × block) is how a kernel that C2 failed to compile whole shows itself. That is
 * what made commit b6cdd01 (two groups per table load in one big method: C2's inlining node budget ran out, vectors
 * boxed per block) ~4× slower than the kernel before it while every exactness test still passed.
 *
 * <p>It keeps multiplying until the allocation per call falls within the budget (C2 compiles in the background, later
 * on a loaded machine) and fails only if that has not happened after {@value #PATIENCE_SECONDS} s.
 */
class Int8CompiledTest {
    private static final int PATIENCE_SECONDS = 60;
    /** Bytes allowed per (16-row group × block × input) beyond the call's arrays: under one boxed 512-bit vector. */
    private static final int BYTES_PER_GROUP_BLOCK = 48;

    @Test
    void compiledKernelBoxesNoVectorsPerBlock() {
        int rows = 256, cols = 2048;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 4, RotationKind.HADAMARD, 128);
        assumeTrue(Int8TableDot.runs(m), "int8 path not available here");
        float[][] rotated = {ScalarKernels.rotateInput(m, TestMatrices.gaussian(cols, 3), 0)};
        float[] y = new float[rows];
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        int groupBlocks = rows / RowGroups.ROWS * m.blocksPerRow();
        long budget = arrayBytes(m, rows) + 1024 + (long) groupBlocks * BYTES_PER_GROUP_BLOCK;
        long best = Long.MAX_VALUE, deadline = System.nanoTime() + PATIENCE_SECONDS * 1_000_000_000L;
        int calls = 0;
        while (best > budget && System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(thread);
            Int8TableDot.gemm(m, rotated, y, 0, rows);
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
            calls++;
        }
        System.out.printf("int8 kernel, 4-bit %dx%d: %d bytes allocated per call at best (budget %d, arrays %d), "
                + "%d calls%n", rows, cols, best, budget, arrayBytes(m, rows), calls);
        assertThat(best).as("bytes allocated per compiled call after %d calls", calls).isLessThanOrEqualTo(budget);
    }

    /** The large arrays one call of one input allocates: float and byte tables of a block, one accumulator per row. */
    private static long arrayBytes(QuantizedMatrix m, int rows) {
        int tableBytes = Int8Tables.bytesPerBlock((int) (m.rowStrideBytes() / m.blocksPerRow()));
        return 4L * tableBytes + tableBytes + 4L * rows;
    }
}
