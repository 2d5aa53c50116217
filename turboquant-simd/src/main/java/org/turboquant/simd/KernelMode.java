package org.turboquant.simd;

import java.util.Locale;

/**
 * Which products multiply the 1-, 2- and 4-bit TurboQuant matrices on a 512-bit JVM: the float look-up tables, or the
 * integer-domain kernels that quantize those tables to int8 per (input, block) and look them up with byte permutes
 * (AVX-512 VBMI). The int8 product is a different, slightly lossy one (docs/BENCHMARKS.md, "Integer-domain kernels";
 * end to end on the built-in encoders, docs/RESULTS.md), so the float tables stay the default.
 *
 * <p>Chosen per {@link TurboQuantKernels} instance ({@link TurboQuantKernels#withMode}); the JVM-wide default is
 * {@code -Dturboquant.intKernels=false|true|auto} (also {@code float|int8}), read once.
 */
public enum KernelMode {
    /**
     * Float arithmetic everywhere (the float tables, and for GEMMs of 4+ inputs the decoded-codes GEMM): every product
     * within 1e-5 of the scalar reference.
     */
    FLOAT,
    /**
     * The int8 kernels wherever they run (AVX-512 VBMI: b = 1, 2, 4; 8 bits as int8 levels; grouped mixed-width rows of
     * 1/2/4/5-bit cells), GEMV and GEMM; float elsewhere.
     */
    INT8,
    /**
     * The int8 kernels at the widths where they measured faster than the float tables (4 bits), else float; GEMMs of
     * 4 or more inputs run the decoded-codes GEMM as in FLOAT (faster than both table kernels there).
     */
    AUTO;

    /** The user's spelling: float, int8 or auto (case-insensitive); also false / true, the property's old values. */
    public static KernelMode parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "float", "false" -> FLOAT;
            case "int8", "true" -> INT8;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("kernels must be float, int8 or auto, got '" + s + "'");
        };
    }

    /** The JVM-wide default, from {@code -Dturboquant.intKernels} (unset: {@link #FLOAT}). */
    public static KernelMode fromSystemProperty() {
        String v = System.getProperty("turboquant.intKernels", "float");
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dturboquant.intKernels: " + e.getMessage());
        }
    }

    /** The spelling {@link #parse} reads. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
