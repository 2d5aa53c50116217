package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.CodeLayout;
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
        String key = m.bits() + "/" + m.blockSize() + "/" + m.codeLayout() + "/" + kernels.mode();
        DONE.computeIfAbsent(key, k -> {
            run(kernels, m);
            return true;
        });
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
