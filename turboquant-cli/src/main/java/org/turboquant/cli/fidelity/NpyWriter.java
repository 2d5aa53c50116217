package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a float32 matrix as a NumPy .npy file (format version 1.0: magic, header dict padded to a multiple of 64
 * bytes, little-endian C-order data), through a temporary file beside the target that is renamed at the end.
 */
public final class NpyWriter {
    private NpyWriter() {}

    /** rows.length × width little-endian float32; every row must have {@code width} elements. */
    public static void write(Path file, float[][] rows, int width) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + width + "), }";
        int unpadded = 10 + dict.length() + 1; // magic(6) + version(2) + header length(2) + dict + '\n'
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
                head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                        .putShort((short) header.length());
                out.write(head.array());
                out.write(header.getBytes(StandardCharsets.US_ASCII));
                ByteBuffer row = ByteBuffer.allocate(width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] r : rows) {
                    if (r.length != width) throw new IllegalArgumentException("a row of " + r.length + " values, expected " + width);
                    row.clear();
                    row.asFloatBuffer().put(r);
                    out.write(row.array());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
