package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The codebook held in registers: index lanes become centroid lanes with a two-table permute (selectFrom(v1, v2),
 * one vpermi2d on AVX-512), so a table of up to 2·L entries costs one instruction. Larger tables (8 bits at 512,
 * 4+ bits at 128) are split into such pairs and merged with a compare and blend per pair.
 * Float bits travel in int lanes so the index vector and the table share one lane type.
 */
final class CentroidTable {
    private final IntVector[] tables;
    private final int pairs;
    private final int pairShift;

    CentroidTable(VectorSpecies<Integer> species, float[] centroids) {
        int lanes = species.length();
        int pairSize = 2 * lanes;
        this.pairs = Math.max(1, (centroids.length + pairSize - 1) / pairSize);
        this.pairShift = Integer.numberOfTrailingZeros(pairSize);
        this.tables = new IntVector[2 * pairs];
        int[] bits = new int[2 * pairs * lanes];
        for (int i = 0; i < centroids.length; i++) bits[i] = Float.floatToRawIntBits(centroids[i]);
        for (int t = 0; t < tables.length; t++) tables[t] = IntVector.fromArray(species, bits, t * lanes);
    }

    /** True when the whole table is one pair of registers: {@link #low()}/{@link #high()} then serve any index. */
    boolean singlePair() {
        return pairs == 1;
    }

    /** Entries [0, L) of the first pair. */
    IntVector low() {
        return tables[0];
    }

    /** Entries [L, 2L) of the first pair. */
    IntVector high() {
        return tables[1];
    }

    /** centroids[idx] per lane; idx lanes must lie in [0, centroids.length). */
    FloatVector lookup(IntVector idx) {
        IntVector r = idx.selectFrom(tables[0], tables[1]);
        for (int p = 1; p < pairs; p++) {
            IntVector candidate = idx.selectFrom(tables[2 * p], tables[2 * p + 1]);
            r = r.blend(candidate, idx.lanewise(VectorOperators.LSHR, pairShift).eq(p));
        }
        return r.reinterpretAsFloats();
    }
}
