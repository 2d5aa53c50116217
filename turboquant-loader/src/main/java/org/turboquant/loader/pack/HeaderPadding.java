package org.turboquant.loader.pack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * The one part of a pack's weights header that parsing alone does not pin down: the padding after the JSON. The
 * writer pads with at most 7 spaces (docs/FORMAT.md §10); JSON would also accept a tab or a newline there, so a
 * flipped padding byte would go unnoticed, while every other header byte is either checked by parsing (syntax,
 * sizes, offsets) or against the manifest (names, dtypes, shapes, metadata).
 */
final class HeaderPadding {
    /** Longest padding the writer adds, plus the closing brace it follows. */
    private static final int TAIL = 8;

    private HeaderPadding() {}

    /** @throws BadInputException unless the header ends with '}' and at most 7 spaces */
    static void check(SafetensorsFile weights) throws IOException {
        long headerLength = weights.dataStart() - Long.BYTES;
        int n = (int) Math.min(TAIL, headerLength);
        ByteBuffer tail = ByteBuffer.allocate(n);
        try (FileChannel ch = FileChannel.open(weights.path(), StandardOpenOption.READ)) {
            while (tail.hasRemaining() && ch.read(tail, weights.dataStart() - n + tail.position()) >= 0) { }
        }
        int end = n;
        while (end > 0 && tail.get(end - 1) == ' ') end--;
        if (end == 0 || tail.get(end - 1) != '}')
            throw new BadInputException(weights.path(), null, "the header's padding holds bytes other than spaces "
                    + "after its JSON: the pack is corrupt");
    }
}
