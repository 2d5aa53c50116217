package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian IEEE binary16 values in a memory segment, as llama.cpp stores block scales. */
final class HalfFloats {
    private HalfFloats() {}

    private static final ValueLayout.OfShort F16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Stores v rounded to nearest even binary16 at element index i. */
    static void set(MemorySegment segment, long i, float v) {
        segment.set(F16_LE, 2 * i, Float.floatToFloat16(v));
    }

    static float get(MemorySegment segment, long i) {
        return Float.float16ToFloat(segment.get(F16_LE, 2 * i));
    }

    /** Round half away from zero, as C's roundf (in double, where |v| + 0.5 is exact for every float v here). */
    static int roundHalfAway(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -r : r);
    }
}
