package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which leftovers {@link StagedOutput#begin} removes: only temporary directories with our name and marker whose
 * process is gone; a directory a killed run left between its two renames gives the old output back first.
 */
class StagedOutputTest {
    @TempDir Path dir;

    @Test
    void removesOnlyMarkedLeftoversOfDeadProcesses() throws Exception {
        Path target = dir.resolve("model-tq4");
        long dead = deadPid();
        Path stale = leftover(target, dead + "-1", marker(dead, "?"));
        Path unmarked = leftover(target, dead + "-2", null);
        Path otherName = Files.createDirectories(dir.resolve(".model-tq8" + StagedOutput.INFIX + dead + "-3"));
        Files.writeString(otherName.resolve(StagedOutput.MARKER), marker(dead, "?"));
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            String started = sleeper.toHandle().info().startInstant().map(Instant::toString).orElse("?");
            Path live = leftover(target, sleeper.pid() + "-4", marker(sleeper.pid(), started));
            // a reused pid: alive, but started at another time than the marker says
            Path reused = leftover(target, sleeper.pid() + "-5", marker(sleeper.pid(), "2001-01-01T00:00:00Z"));

            try (StagedOutput s = StagedOutput.begin(target, p -> { })) {
                assertThat(s.temporaryDirectory().resolve(StagedOutput.MARKER)).isRegularFile()
                        .content().contains("pid " + ProcessHandle.current().pid());
                assertThat(s.temporaryDirectory().getFileName().toString()).startsWith(".model-tq4" + StagedOutput.INFIX);
            }

            assertThat(stale).doesNotExist();
            assertThat(reused).doesNotExist();
            assertThat(unmarked.resolve("data.bin")).as("no marker: not ours").exists();
            assertThat(live.resolve("data.bin")).as("its run is still going").exists();
            assertThat(otherName).as("another target's").exists();
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void aRunKilledBetweenTheTwoRenamesGetsTheOldOutputBack() throws Exception {
        Path target = dir.resolve("pack");
        long dead = deadPid();
        Path stale = leftover(target, dead + "-1", marker(dead, "?"));
        Path old = Files.createDirectories(stale.resolve("old"));
        Files.writeString(old.resolve(Manifest.FILE_NAME), "the old manifest");
        Files.createDirectories(stale.resolve("new"));

        try (StagedOutput s = StagedOutput.begin(target, p -> { })) {
            assertThat(target.resolve(Manifest.FILE_NAME)).as("restored before anything else").hasContent("the old manifest");
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void anUncommittedOutputIsRemovedAndACommittedOneReplacesTheTarget() throws IOException {
        Path target = Files.createDirectories(dir.resolve("pack"));
        Files.writeString(target.resolve("a"), "old");
        try (StagedOutput s = StagedOutput.begin(target, p -> { })) {
            Files.writeString(s.newDirectory().resolve("b"), "abandoned");
        }
        assertThat(target.resolve("a")).hasContent("old");
        try (StagedOutput s = StagedOutput.begin(target, p -> { })) {
            Files.writeString(s.newDirectory().resolve("b"), "new");
            s.commitDirectory();
        }
        assertThat(target.resolve("b")).hasContent("new");
        assertThat(target.resolve("a")).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("pack"));
        }
    }

    /** The pid of a process that has exited (a pid is reused only after the kernel has cycled through the others). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static String marker(long pid, String started) {
        return "turboquant temporary output\npid " + pid + "\nstarted " + started + "\n";
    }

    private Path leftover(Path target, String suffix, String marker) throws IOException {
        Path d = Files.createDirectories(dir.resolve("." + target.getFileName() + StagedOutput.INFIX + suffix));
        Files.writeString(d.resolve("data.bin"), "partial output");
        if (marker != null) Files.writeString(d.resolve(StagedOutput.MARKER), marker);
        return d;
    }
}
