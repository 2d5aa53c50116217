package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian IEEE binary16 values in a memory segment, as llama.cpp stores block scales. */
final class HalfFloats {
    private HalfFloats() {}

    private static final ValueLayout.OfShort F16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A little-endian 16-bit field at any byte offset (IQ4_XS's scales_h). */
    static final ValueLayout.OfShort U16_LE = F16_LE;

    /** Stores v rounded to nearest even binary16 at element index i. */
    static void set(MemorySegment segment, long i, float v) {
        segment.set(F16_LE, 2 * i, Float.floatToFloat16(v));
    }

    static float get(MemorySegment segment, long i) {
        return Float.float16ToFloat(segment.get(F16_LE, 2 * i));
    }

    /** The f16 at byte offset {@code at} (block structs put their scales at arbitrary byte offsets). */
    static float getAt(MemorySegment segment, long at) {
        return Float.float16ToFloat(segment.get(F16_LE, at));
    }

    /** Stores v rounded to nearest even binary16 at byte offset {@code at}; returns the value stored, as float. */
    static float setAt(MemorySegment segment, long at, float v) {
        short h = Float.floatToFloat16(v);
        segment.set(F16_LE, at, h);
        return Float.float16ToFloat(h);
    }

    /** Round half away from zero, as C's roundf (in double, where |v| + 0.5 is exact for every float v here). */
    static int roundHalfAway(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -r : r);
    }
}
