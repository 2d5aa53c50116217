package org.turboquant.loader.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Streams files through SHA-256 with a fixed-size buffer, so any size hashes in constant memory. */
public final class Sha256 {

    private Sha256() { }

    /** Hex digest of the concatenated contents of {@code files}, in the given order. */
    public static String of(List<Path> files) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                while (ch.read(buf.clear()) >= 0) {
                    md.update(buf.flip());
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
