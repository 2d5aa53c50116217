package org.turboquant.loader.pack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.turboquant.core.baseline.BlockFormat;

/** How a tensor is stored in a pack. */
public enum Method {
    /** TurboQuant_mse: rotated blocks, Lloyd–Max indices, one scale per block. */
    TURBOQUANT,
    /** Baseline: per-row absmax symmetric round-to-nearest. */
    RTN,
    /** Baseline: llama.cpp Q4_0 (blocks of 32, one f16 scale). */
    Q4_0,
    /** Baseline: llama.cpp Q8_0 (blocks of 32, one f16 scale). */
    Q8_0,
    /** Baseline: llama.cpp Q3_K (super-blocks of 256, 3.4375 bits per weight). */
    Q3_K(BlockFormat.Q3_K, 3),
    /** Baseline: llama.cpp Q4_K (super-blocks of 256, 4.5 bits per weight). */
    Q4_K(BlockFormat.Q4_K, 4),
    /** Baseline: llama.cpp Q5_K (super-blocks of 256, 5.5 bits per weight). */
    Q5_K(BlockFormat.Q5_K, 5),
    /** Baseline: llama.cpp Q6_K (super-blocks of 256, 6.5625 bits per weight). */
    Q6_K(BlockFormat.Q6_K, 6),
    /** Baseline: llama.cpp IQ4_NL (blocks of 32 on a non-uniform grid, 4.5 bits per weight). */
    IQ4_NL(BlockFormat.IQ4_NL, 4),
    /** Baseline: llama.cpp IQ4_XS (super-blocks of 256 on IQ4_NL's grid, 4.25 bits per weight). */
    IQ4_XS(BlockFormat.IQ4_XS, 4),
    /** Copied unchanged. */
    KEPT;

    private final BlockFormat blockFormat;
    private final Integer codeBits;

    Method() {
        this(null, null);
    }

    Method(BlockFormat blockFormat, Integer codeBits) {
        this.blockFormat = blockFormat;
        this.codeBits = codeBits;
    }

    /** The llama.cpp block format of a K-/IQ-quant baseline (stored as a block stream, FORMAT.md §8); else null. */
    public BlockFormat blockFormat() {
        return blockFormat;
    }

    /** Bits per code fixed by the format (4 for Q4_0, 8 for Q8_0, the K/IQ formats' code width); null otherwise. */
    Integer fixedBits() {
        return this == Q4_0 ? Integer.valueOf(4) : this == Q8_0 ? Integer.valueOf(8) : codeBits;
    }

    /** The manifest's block_size of a baseline: 32 for Q4_0/Q8_0, the format's block for K/IQ; null for RTN. */
    Integer fixedBlock() {
        return this == Q4_0 || this == Q8_0 ? Integer.valueOf(32) : blockFormat != null ? Integer.valueOf(blockFormat.weights()) : null;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.id().equalsIgnoreCase(s.trim())) return m;
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (expected one of "
                + Arrays.stream(values()).filter(m -> m != KEPT).map(Method::id).collect(Collectors.joining(", ")) + ")");
    }
}
