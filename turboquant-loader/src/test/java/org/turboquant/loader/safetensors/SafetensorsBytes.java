package org.turboquant.loader.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Hand-made safetensors files for tests: a length prefix, a header exactly as given, then data bytes. */
final class SafetensorsBytes {

    private SafetensorsBytes() { }

    static byte[] file(String headerJson, int dataBytes) {
        return file(headerJson.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
    }

    static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** Only a length prefix (which may lie) followed by {@code rest}. */
    static byte[] withLength(long length, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(length).put(rest).array();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** A valid file written by {@link SafetensorsWriter}: tensors filled with bytes 0, 1, 2, ... per tensor. */
    static Path writeCounting(Path file, List<TensorSpec> specs, Map<String, String> metadata) throws IOException {
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, metadata)) {
            for (TensorSpec s : specs) {
                byte[] b = new byte[(int) s.byteSize()];
                for (int i = 0; i < b.length; i++) b[i] = (byte) i;
                w.write(b, 0, b.length);
            }
        }
        return file;
    }
}
