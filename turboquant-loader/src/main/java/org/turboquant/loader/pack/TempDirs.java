package org.turboquant.loader.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of temporary output directories ({@link StagedOutput}) and of parents a failed run created. */
final class TempDirs {
    private TempDirs() {}

    /** The outermost ancestor of {@code dir} (or dir itself) that does not exist yet, or null if it exists. */
    static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) missing = p;
        return missing;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException | RuntimeException ignored) {
            // best effort: called on failure paths and from a shutdown hook
        }
    }
}
