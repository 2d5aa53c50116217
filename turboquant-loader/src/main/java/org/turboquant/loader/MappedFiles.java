package org.turboquant.loader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only memory maps of whole files, the one way the loader reads model files. */
public final class MappedFiles {
    private MappedFiles() {}

    /**
     * Maps {@code file} read-only into {@code arena} (any size; an empty file gives an empty segment, which
     * {@link FileChannel#map} would refuse).
     *
     * @throws BadInputException when the path is missing or not a regular file
     */
    public static MemorySegment mapReadOnly(Path file, Arena arena) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file, null, Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            return size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }
}
