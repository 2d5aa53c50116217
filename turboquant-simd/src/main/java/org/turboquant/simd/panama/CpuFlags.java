package org.turboquant.simd.panama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU features the Vector API does not report. The 8-bit kernel's two-table byte permutes are one instruction with
 * AVX-512 VBMI and a slow fallback without it (e.g. Skylake-X), so it runs only where VBMI is known to be present:
 * the {@code flags} line of /proc/cpuinfo (Linux), or {@code -Dturboquant.vbmi=true|false} to override.
 */
final class CpuFlags {
    static final boolean VBMI = detectVbmi();

    private CpuFlags() {}

    private static boolean detectVbmi() {
        String forced = System.getProperty("turboquant.vbmi");
        if (forced != null) return Boolean.parseBoolean(forced);
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Arrays.asList(l.split("\\s+")).contains("avx512_vbmi") || l.contains(" avx512vbmi "))
                    .orElse(false);
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
