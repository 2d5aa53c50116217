package org.turboquant.core;

import java.lang.ref.SoftReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cache of rotations by (kind, dim, seed). Values are soft references: a large QR matrix (g = 4096 takes
 * 192 MiB) can be reclaimed under memory pressure and is then rebuilt, bit for bit, on the next request.
 */
final class Rotations {
    private Rotations() {}

    private record Key(RotationKind kind, int dim, long seed) {}

    private static final ConcurrentHashMap<Key, SoftReference<Rotation>> CACHE = new ConcurrentHashMap<>();

    static Rotation get(RotationKind kind, int dim, long seed) {
        java.util.Objects.requireNonNull(kind, "kind");
        Key key = new Key(kind, dim, seed);
        SoftReference<Rotation> ref = CACHE.get(key);
        Rotation r = ref == null ? null : ref.get();
        if (r != null) return r;
        // compute() serializes builders of the same key, so a QR matrix is built once even under contention.
        Rotation[] built = new Rotation[1];
        CACHE.compute(key, (k, old) -> {
            Rotation existing = old == null ? null : old.get();
            built[0] = existing != null ? existing : create(kind, dim, seed);
            return existing != null ? old : new SoftReference<>(built[0]);
        });
        return built[0];
    }

    static Rotation create(RotationKind kind, int dim, long seed) {
        return switch (kind) {
            case QR -> new QrRotation(dim, seed);
            case HADAMARD -> new HadamardRotation(dim, seed);
        };
    }
}
