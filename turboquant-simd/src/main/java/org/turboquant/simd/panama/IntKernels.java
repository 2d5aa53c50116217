package org.turboquant.simd.panama;

/**
 * Which widths take the integer-domain kernels ({@link Int8TableDot}) rather than the float table kernels. The int8
 * path is a slightly different, lossy product (relative error of y ~1e-2, docs/BENCHMARKS.md, "Integer-domain
 * kernels"), so it is opt-in: {@code -Dturboquant.intKernels=auto} picks per width what measured faster on AVX-512
 * VBMI, {@code true} forces it wherever it can run, {@code false} (default) keeps every product within 1e-5 of the
 * scalar reference.
 */
final class IntKernels {
    private static final String MODE = System.getProperty("turboquant.intKernels", "false");
    /**
     * Widths where the int8 path measured faster (bit b set for width b): 4 bits, 2.5× the float tables at
     * 4096×14336 on 1 thread; at 1 and 2 bits it measured slower (docs/BENCHMARKS.md), so they keep the float tables.
     */
    private static final int AUTO_WIDTHS = 1 << 4;

    private IntKernels() {}

    static boolean enabled(int bits) {
        return switch (MODE) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> (AUTO_WIDTHS & (1 << bits)) != 0;
            default -> throw new IllegalArgumentException("turboquant.intKernels must be auto, true or false, got " + MODE);
        };
    }
}
