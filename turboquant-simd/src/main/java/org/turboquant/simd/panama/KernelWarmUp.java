package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RowGroupCodes;

/**
 * Has the JIT compile a matrix's product kernel before its first real product. Until C2 compiles them, the Vector
 * API kernels run interpreted, with every vector a heap object: measured on a 0.75 B-parameter 4-bit pack, a cold
 * first pass over every tensor took 1.4 s against 0.05–0.15 s for later ones, and 0.27 s after this warm-up
 * (bench PackPass). Runs once per JVM and kernel shape (width, block size, code layout), on a small all-zero matrix
 * of that shape, on the calling thread.
 */
final class KernelWarmUp {
    private static final int ROWS = 64;
    /** Weight-products per warm-up: enough for C2 to compile the loops (≈ 3000 products of 64 × 1024). */
    private static final long WORK = 200_000_000L;
    private static final ConcurrentHashMap<String, Boolean> DONE = new ConcurrentHashMap<>();

    private KernelWarmUp() {}

    static void warm(PanamaKernels kernels, QuantizedMatrix m) {
        once(m.bits() + "/" + m.blockSize() + "/" + m.codeLayout() + "/" + kernels.mode(), () -> run(kernels, m));
    }

    /**
     * As for a uniform matrix, for a mixed-width one: a small matrix of the same widths, block size and code layout
     * whose cells (or units) alternate narrow and wide, so that both widths' kernels compile (measured on the 4.25
     * pack of the 0.75 B checkpoint before this: the first pass after prepare() took 5× a later one).
     */
    static void warm(PanamaKernels kernels, MixedQuantizedMatrix m) {
        once("mixed/" + m.narrow().bits() + "/" + m.wide().bits() + "/" + m.blockSize() + "/" + m.codeLayout()
                + "/" + kernels.mode(),
                () -> run(kernels, m));
    }

    /** Runs {@code warmUp} the first time {@code key} (a kernel shape) is asked for in this JVM. */
    private static void once(String key, Runnable warmUp) {
        DONE.computeIfAbsent(key, k -> {
            warmUp.run();
            return true;
        });
    }

    private static void run(PanamaKernels kernels, MixedQuantizedMatrix like) {
        int g = like.blockSize(), cols = g * Math.max(1, Math.min(8, 1024 / g));
        BlockLayout blocks = new BlockLayout(cols, g, cols / g);
        int perRow = MixedLayout.unitsPerRow(blocks);
        byte[] bitmap = new byte[MixedLayout.bitmapBytes((long) ROWS * perRow)];
        for (int r = 0; r < ROWS; r++)
            for (int u = 0; u < perRow; u++)
                if ((r / CodeLayout.GROUP_ROWS + u) % 2 == 1) bitmap[(r * perRow + u) >>> 3] |= (byte) (1 << ((r * perRow + u) & 7));
        MixedLayout layout = MixedLayout.of(ROWS, blocks, bitmap);
        int narrow = like.narrow().bits(), wide = like.wide().bits();
        boolean grouped = like.grouped() && CodeLayout.groupable(blocks);
        long bytes = grouped ? MixedQuantizedMatrix.groupedCodeBytes(layout, narrow, wide)
                : MixedQuantizedMatrix.codeBytes(layout, org.turboquant.core.BitPacking.packedBytes(layout.unitIndices(), narrow),
                        org.turboquant.core.BitPacking.packedBytes(layout.unitIndices(), wide), ROWS);
        MixedQuantizedMatrix m = new MixedQuantizedMatrix(layout, like.rotation(), narrow, Codebook.of(g, narrow).centroids(),
                wide, Codebook.of(g, wide).centroids(), MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]),
                new float[ROWS * blocks.blocksPerRow()], grouped ? CodeLayout.MIXED_ROW_GROUPS_16 : CodeLayout.ROWS);
        float[] rotated = new float[cols], y = new float[ROWS];
        long products = Math.clamp(WORK / ((long) ROWS * cols), 100, 3000);
        for (long i = 0; i < products; i++) kernels.gemvRotated(m, rotated, y, 0, ROWS);
    }

    private static void run(PanamaKernels kernels, QuantizedMatrix like) {
        int g = like.blockSize(), cols = g * Math.max(1, Math.min(8, 1024 / g));
        BlockLayout layout = new BlockLayout(cols, g, cols / g);
        long stride = org.turboquant.core.BitPacking.packedBytes(cols, like.bits());
        QuantizedMatrix m = new QuantizedMatrix(ROWS, layout, like.bits(), like.rotation(),
                Codebook.of(g, like.bits()).centroids(), MemorySegment.ofArray(new byte[(int) (stride * ROWS)]),
                new float[ROWS * layout.blocksPerRow()]);
        if (like.codeLayout() == CodeLayout.ROW_GROUPS_16) m = RowGroupCodes.regroup(m, java.lang.foreign.Arena.ofAuto());
        float[] x = new float[cols], y = new float[ROWS];
        long products = Math.clamp(WORK / ((long) ROWS * cols), 100, 3000);
        for (long i = 0; i < products; i++) kernels.gemv(m, x, y, 0, ROWS);
    }
}
