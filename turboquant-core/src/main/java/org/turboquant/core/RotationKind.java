package org.turboquant.core;

import java.util.Locale;

/** The two random rotations TurboQuant can apply to a block before quantizing it. */
public enum RotationKind {
    /** Haar-random orthogonal matrix: Q of the QR decomposition of a Gaussian matrix, diag(R) made positive. */
    QR,
    /** Random ±1 diagonal followed by the normalized Walsh–Hadamard transform; block size must be a power of two. */
    HADAMARD;

    /** The lower-case name used on the command line and in manifests. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RotationKind parse(String s) {
        for (RotationKind k : values()) {
            if (k.id().equalsIgnoreCase(s.trim())) return k;
        }
        throw new IllegalArgumentException("unknown rotation '" + s + "' (expected qr or hadamard)");
    }
}
