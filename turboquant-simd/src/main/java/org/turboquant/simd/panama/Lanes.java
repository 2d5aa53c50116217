package org.turboquant.simd.panama;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width of this JVM and the species-bound operations the kernels use. C2 only intrinsifies vector
 * operations whose species is a compile-time constant, hence static finals (as Lucene does): holding the species
 * in an instance field, even behind monomorphic per-width classes, left conversions and broadcasts as Java
 * fallbacks, 5–60× slower. The width is the widest the CPU supports, or {@code -Dturboquant.vectorBits} (capped
 * at the CPU's), fixed at class initialization; to test other widths, run another JVM.
 */
public final class Lanes {
    private Lanes() {}

    public static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(width()));
    public static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(width()));
    static final int LENGTH = F.length();

    private static int width() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int forced = Integer.getInteger("turboquant.vectorBits", 0);
        if (forced == 0) return preferred;
        if (forced != 128 && forced != 256 && forced != 512)
            throw new IllegalArgumentException("turboquant.vectorBits must be 128, 256 or 512, got " + forced);
        return Math.min(forced, preferred);
    }

    static FloatVector zero() { return FloatVector.zero(F); }

    static FloatVector broadcast(float v) { return FloatVector.broadcast(F, v); }

    static FloatVector load(float[] a, int off) { return FloatVector.fromArray(F, a, off); }

    /** Lanes [off, end) of a, zero beyond end. */
    static FloatVector loadUpTo(float[] a, int off, int end) {
        return FloatVector.fromArray(F, a, off, F.indexInRange(off, end));
    }

    /** Byte lanes [part·L, (part+1)·L) zero-extended to int lanes. */
    static IntVector widen(ByteVector bytes, int part) {
        return (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, part);
    }
}
