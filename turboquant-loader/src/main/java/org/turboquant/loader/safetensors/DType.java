package org.turboquant.loader.safetensors;

import java.util.Optional;

/**
 * Element types of a safetensors file, named by their header ids ("F32", "BF16", ...). All are stored little-endian.
 * BOOL takes one byte per element. F8_E4M3 and F8_E5M2 are the OCP 8-bit floats ({@link Fp8}); they are read as
 * float input but never written.
 */
public enum DType {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true), F8_E4M3(1, true), F8_E5M2(1, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false), U8(1, false), BOOL(1, false);

    private final int byteSize;
    private final boolean isFloat;

    DType(int byteSize, boolean isFloat) {
        this.byteSize = byteSize;
        this.isFloat = isFloat;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** True for the floating-point types F64, F32, F16, BF16 and the two FP8 types. */
    public boolean isFloat() { return isFloat; }

    /** The id written in a safetensors header; equal to {@link #name()}. */
    public String id() { return name(); }

    /** The dtype with this header id (case-sensitive, as the format is), or empty when unknown. */
    public static Optional<DType> fromId(String id) {
        for (DType t : values()) {
            if (t.name().equals(id)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
