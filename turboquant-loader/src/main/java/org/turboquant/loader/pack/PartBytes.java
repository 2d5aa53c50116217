package org.turboquant.loader.pack;

import org.turboquant.core.NormPrecision;
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

    /** Block scales as a pack stores them: F16/F32 floats, or log8 bytes ({@link NormPrecision#log8Code}). */
    static MemorySegment scales(float[] values, NormPrecision p) {
        if (p != NormPrecision.LOG8) return floats(values, TurboQuantEncoder.scaleDType(p));
        byte[] codes = new byte[values.length];
        for (int i = 0; i < values.length; i++) codes[i] = (byte) NormPrecision.log8Code(values[i]);
        return MemorySegment.ofArray(codes);
    }

    /** Log8 scale bytes decoded, in units of the tensor's R. */
    static float[] log8Scales(MemorySegment seg) {
        float[] out = new float[Math.toIntExact(seg.byteSize())];
        for (int i = 0; i < out.length; i++) out[i] = NormPrecision.log8Scale(seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
        return out;
    }
}
