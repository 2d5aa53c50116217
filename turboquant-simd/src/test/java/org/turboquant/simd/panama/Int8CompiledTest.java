package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.turboquant.core.MixedQuantizedMatrix;
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

    /**
     * The same guard for the grouped mixed-width kernel ({@link Int8MixedTableDot}), 4/5 bits with every other cell
     * wide, so that both the 4-bit cell pairs and the 5-bit cells ({@link Int8TableDot5}) must compile whole.
     */
    @Test
    void compiledMixedKernelBoxesNoVectorsPerCell() {
        int rows = 256, cols = 2048;
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(4, 5, rows, cols, 128, MixedGroupKernelsTest.Pattern.CHECKER);
        assumeTrue(Int8MixedTableDot.runs(m), "int8 path not available here");
        float[][] rotated = {ScalarKernels.rotateInput(m, TestMatrices.gaussian(cols, 3), 0)};
        float[] y = new float[rows];
        int chunks = 128 / org.turboquant.core.BitPacking.CHUNK;
        long arrays = 4L * Int8Tables.bytesPerBlock(64) + 5L * Int8TableDot5.bytesPerBlock(chunks) + 4L * rows;
        long budget = arrays + 2048 + (long) rows / RowGroups.ROWS * m.blocksPerRow() * BYTES_PER_GROUP_BLOCK;
        long best = untilWithin(budget, () -> Int8MixedTableDot.gemm(m, rotated, y, 0, rows));
        System.out.printf("int8 mixed kernel, 4/5-bit %dx%d: %d bytes allocated per call at best (budget %d)%n", rows,
                cols, best, budget);
        assertThat(best).as("bytes allocated per compiled call").isLessThanOrEqualTo(budget);
    }

    /** Calls {@code product} until one allocates at most {@code budget} bytes or the patience runs out; the least seen. */
    private static long untilWithin(long budget, Runnable product) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE, deadline = System.nanoTime() + PATIENCE_SECONDS * 1_000_000_000L;
        while (best > budget && System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(thread);
            product.run();
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
        }
        return best;
    }

    /** The large arrays one call of one input allocates: float and byte tables of a block, one accumulator per row. */
    private static long arrayBytes(QuantizedMatrix m, int rows) {
        int tableBytes = Int8Tables.bytesPerBlock((int) (m.rowStrideBytes() / m.blocksPerRow()));
        return 4L * tableBytes + tableBytes + 4L * rows;
    }
}
