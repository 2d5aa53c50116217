package org.turboquant.core;

/** TODO(core): cache of rotations by (kind, dim, seed). */
final class Rotations {
    private Rotations() {}
    static Rotation get(RotationKind kind, int dim, long seed) { throw new UnsupportedOperationException("TODO"); }
}
