package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;

/**
 * Sums a vector's lanes in lane order. {@code reduceLanes(ADD)} leaves the float order unspecified, and indeed the
 * interpreter and C2 add in different orders, which would make a row's result depend on JIT timing; results must
 * be bit-identical across calls and threads.
 */
final class LaneSums {
    private LaneSums() {}

    /** Σ lanes of v, lane 0 first; {@code scratch} holds at least v.length() floats. */
    static float sum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += scratch[i];
        return s;
    }
}
