package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The codebook in two registers: index lanes become centroid lanes with one two-table permute (selectFrom(v1, v2),
 * a vpermi2d on AVX-512), for codebooks of up to 2·L entries (b ≤ 5 at 512 bits, b ≤ 3 at 128). Larger codebooks
 * are looked up scalar from {@link #centroids()}: merging several register pairs with compares and blends measured
 * slower here. Float bits travel in int lanes so the index vector and the table share one lane type.
 */
final class CentroidTable {
    private final float[] centroids;
    private final IntVector low, high;

    CentroidTable(VectorSpecies<Integer> species, float[] centroids) {
        this.centroids = centroids;
        int lanes = species.length();
        if (centroids.length <= 2 * lanes) {
            int[] bits = new int[2 * lanes];
            for (int i = 0; i < centroids.length; i++) bits[i] = Float.floatToRawIntBits(centroids[i]);
            low = IntVector.fromArray(species, bits, 0);
            high = IntVector.fromArray(species, bits, lanes);
        } else {
            low = high = null;
        }
    }

    /** True when {@link #low()}/{@link #high()} hold the whole codebook. */
    boolean inRegisters() {
        return low != null;
    }

    /** Entries [0, L). */
    IntVector low() {
        return low;
    }

    /** Entries [L, 2L). */
    IntVector high() {
        return high;
    }

    float[] centroids() {
        return centroids;
    }

    /** centroids[idx] per lane, for a table {@link #inRegisters()}. */
    static FloatVector lookup(IntVector idx, IntVector low, IntVector high) {
        return idx.selectFrom(low, high).reinterpretAsFloats();
    }

    /** values[at + i] = centroids[idx[i]] for i in [0, n), n a multiple of 16 (a whole number of index groups). */
    void decode(byte[] idx, int n, float[] values, int at) {
        if (!inRegisters()) {
            for (int i = 0; i < n; i++) values[at + i] = centroids[idx[i] & 0xFF];
            return;
        }
        IntVector lo = low, hi = high; // locals, so they stay in registers
        int lanes = lo.length();
        for (int i = 0; i < n; i += GroupDecoder.GROUP) {
            jdk.incubator.vector.ByteVector codes = jdk.incubator.vector.ByteVector.fromArray(GroupDecoder.BYTES, idx, i);
            for (int p = 0; p < GroupDecoder.GROUP / lanes; p++) lookup(Lanes.widen(codes, p), lo, hi).intoArray(values, at + i + p * lanes);
        }
    }
}
