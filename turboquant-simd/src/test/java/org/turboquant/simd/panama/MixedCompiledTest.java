package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.ScalarKernels;

/**
 * A guard for how the grouped mixed-width kernel compiles ({@link MixedTableDot}, with its paired cells), not a
 * timing: once C2 has compiled it, a product allocates its per-call arrays and (almost) nothing per cell. A vector
 * that crosses an out-of-line call is boxed on the heap, so allocation per (16-row group × block) is how a pair kernel
 * that exceeded C2's inlining budget shows itself (see {@link Int8CompiledTest}). It keeps multiplying until the
 * allocation per call is within the budget and fails only if that has not happened after {@value #PATIENCE_SECONDS} s.
 */
class MixedCompiledTest {
    private static final int PATIENCE_SECONDS = 60;
    /** Bytes allowed per (16-row group × block) beyond the call's arrays: under one boxed 512-bit vector. */
    private static final int BYTES_PER_GROUP_BLOCK = 48;

    @Test
    void compiledKernelBoxesNoVectorsPerCell() {
        int rows = 256, cols = 2048;
        // a third of the cells wide by energy: narrow and wide cells, paired and single, in every block
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(4, 5, rows, cols, 128, MixedGroupKernelsTest.Pattern.THIRD);
        assumeTrue(MixedTableDot.supports(m), "grouped mixed kernel not available here");
        float[][] rotated = {ScalarKernels.rotateInput(m, org.turboquant.simd.TestMatrices.gaussian(cols, 3), 0)};
        float[] y = new float[rows];
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        int groups = rows / RowGroups.ROWS, groupBlocks = groups * m.blocksPerRow();
        // tables of the wider width (5 bits: 32 floats per column), the row sums, the cell list, the codebook pieces
        long arrays = 4L * TableDot5.CHUNK_FLOATS * (m.blockSize() / 128) + 4L * rows + 4L * groups + 4096;
        long budget = arrays + (long) groupBlocks * BYTES_PER_GROUP_BLOCK;
        long best = Long.MAX_VALUE, deadline = System.nanoTime() + PATIENCE_SECONDS * 1_000_000_000L;
        int calls = 0;
        while (best > budget && System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(thread);
            MixedTableDot.gemm(m, rotated, y, 0, rows);
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
            calls++;
        }
        System.out.printf("grouped mixed kernel, 4/5-bit %dx%d: %d bytes allocated per call at best (budget %d), %d calls%n",
                rows, cols, best, budget, calls);
        assertThat(best).as("bytes allocated per compiled call after %d calls", calls).isLessThanOrEqualTo(budget);
    }
}
