package org.turboquant.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The process's peak resident memory (VmHWM of /proc/self/status: the JVM heap touched, native buffers such as ONNX
 * Runtime's, and mapped pack pages read), for speed lines that should say what the speed cost in memory.
 */
final class PeakRss {
    private PeakRss() {}

    /** "; peak RSS 123 MiB", or "" where /proc is not there (not Linux). */
    static String describe() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.substring(6).strip().split("\\s+")[0]);
                    return String.format(Locale.ROOT, "; peak RSS %.0f MiB", kb / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no figure rather than a failed embedding
        }
        return "";
    }
}
