package org.turboquant.simd.panama;

import org.turboquant.simd.KernelMode;

/**
 * Which widths take the integer-domain kernels ({@link Int8TableDot} for 1/2/4 bits, {@link Int8LevelDot8} for 8,
 * {@link Int8MixedTableDot} for grouped mixed rows whose two widths are both on; 5 bits exists only there)
 * rather than the float kernels, per
 * {@link KernelMode}. The int8 path is a slightly different, lossy product (relative error of y ~1e-2,
 * docs/BENCHMARKS.md, "Integer-domain kernels"), so it is opt-in.
 */
final class IntKernels {
    /**
     * Widths where the int8 path measured faster (bit b set for width b): 4 bits, 2.5× the float tables at
     * 4096×14336 on 1 thread; at 1 and 2 bits it measured slower (docs/BENCHMARKS.md), so they keep the float tables.
     * 8 bits stays out of auto however fast it runs: its int8 levels merge neighbouring centre centroids, a loss of
     * its own (docs/BENCHMARKS.md), not just rounding of the input's side. 5 bits (mixed 4/5 cells) stays out until
     * the end-to-end check of the int8 mode on 4.25 packs is made (docs/BENCHMARKS.md, mixed rows in the int8 mode).
     */
    private static final int AUTO_WIDTHS = 1 << 4;

    private IntKernels() {}

    static boolean enabled(KernelMode mode, int bits) {
        return switch (mode) {
            case INT8 -> true;
            case FLOAT -> false;
            case AUTO -> (AUTO_WIDTHS & (1 << bits)) != 0;
        };
    }
}
