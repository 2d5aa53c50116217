package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;

/** Small helpers to turn values into little-endian part bytes and back. */
final class PartBytes {
    private PartBytes() {}

    static MemorySegment floats(float[] values, DType dtype) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, dtype.byteSize())]);
        FloatCodec.encode(values, 0, values.length, dtype, seg, 0);
        return seg;
    }

    static float[] toFloats(MemorySegment seg, DType dtype) {
        float[] out = new float[Math.toIntExact(seg.byteSize() / dtype.byteSize())];
        FloatCodec.decode(seg, dtype, 0, out, 0, out.length);
        return out;
    }
}
