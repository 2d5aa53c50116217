package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 over memory segments (heap or mapped) without copying them whole. */
final class Sha256s {
    private static final int CHUNK = 1 << 20;

    private Sha256s() {}

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    static void update(MessageDigest digest, MemorySegment seg) {
        for (long off = 0; off < seg.byteSize(); off += CHUNK) {
            digest.update(seg.asSlice(off, Math.min(CHUNK, seg.byteSize() - off)).asByteBuffer());
        }
    }
}
