package org.turboquant.loader.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Conversion between Java floats and the stored float dtypes (F32, F16, BF16, F64, all little-endian; FP8 is
 * decoded only, see {@link Fp8}). Widening (F16, BF16, FP8 to float) is exact; narrowing rounds to nearest, ties to
 * even, and keeps NaN a NaN.
 */
public final class FloatCodec {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FloatCodec() { }

    /** The float whose upper 16 bits are {@code bits}: BF16 is a truncated F32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to the nearest BF16, ties to even; NaN stays a (quiet) NaN with its sign. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) { return Float.float16ToFloat(bits); }

    public static short floatToF16(float value) { return Float.floatToFloat16(value); }

    /**
     * Decodes {@code count} elements of dtype {@code dtype} from {@code src}, starting at element
     * {@code elementOffset}, into {@code dst[dstOff ..]}.
     *
     * @throws IllegalArgumentException when {@code dtype} is not a float type
     * @throws IndexOutOfBoundsException when the range is outside {@code src} or {@code dst}
     */
    public static void decode(MemorySegment src, DType dtype, long elementOffset, float[] dst, int dstOff, int count) {
        requireFloat(dtype);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        long size = dtype.byteSize();
        Objects.checkFromIndexSize(elementOffset, count, src.byteSize() / size);
        long base = elementOffset * size;
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, F32, base, dst, dstOff, count);
            case F64 -> {
                for (int i = 0; i < count; i++) dst[dstOff + i] = (float) src.get(F64, base + 8L * i);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) dst[dstOff + i] = Float.float16ToFloat(src.get(U16, base + 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) dst[dstOff + i] = bf16ToFloat(src.get(U16, base + 2L * i));
            }
            case F8_E4M3, F8_E5M2 -> {
                float[] table = Fp8.table(dtype);
                for (int i = 0; i < count; i++) dst[dstOff + i] = table[src.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF];
            }
            default -> throw new AssertionError(dtype);
        }
    }

    /**
     * Encodes {@code count} floats from {@code src[srcOff ..]} as {@code dtype} into {@code dst} at byte offset
     * {@code dstByteOffset}.
     */
    public static void encode(float[] src, int srcOff, int count, DType dtype, MemorySegment dst, long dstByteOffset) {
        requireFloat(dtype);
        if (dtype == DType.F8_E4M3 || dtype == DType.F8_E5M2)
            throw new IllegalArgumentException(dtype + " is read, not written (write f32, f16 or bf16)");
        Objects.checkFromIndexSize(srcOff, count, src.length);
        Objects.checkFromIndexSize(dstByteOffset, (long) count * dtype.byteSize(), dst.byteSize());
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, F32, dstByteOffset, count);
            case F64 -> {
                for (int i = 0; i < count; i++) dst.set(F64, dstByteOffset + 8L * i, src[srcOff + i]);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) dst.set(U16, dstByteOffset + 2L * i, floatToF16(src[srcOff + i]));
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) dst.set(U16, dstByteOffset + 2L * i, floatToBf16(src[srcOff + i]));
            }
            default -> throw new AssertionError(dtype);
        }
    }

    private static void requireFloat(DType dtype) {
        if (!dtype.isFloat()) throw new IllegalArgumentException(dtype + " is not a float dtype");
    }
}
