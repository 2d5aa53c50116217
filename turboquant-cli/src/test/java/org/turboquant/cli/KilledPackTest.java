package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.pack.StagedOutput;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Issue 11: a pack killed with SIGKILL (no shutdown hook runs) leaves its temporary directory; the next pack on the
 * same output removes it — and only it: a look-alike directory without our marker stays. SIGTERM (what SIGINT does
 * too: both run the shutdown hook) removes it at once and says so in one line.
 */
class KilledPackTest {
    private static final int ROWS = 4096, COLS = 2048;

    @TempDir Path dir;

    @Test
    void aPackAfterAKilledOneSucceedsAndLeavesNoTemporaryDirectory() throws Exception {
        Path out = dir.resolve("out");
        Path log = dir.resolve("child.log");
        Path tmp = stopPackMidWrite(out, log, true); // SIGKILL on Linux and macOS
        assertThat(out).as("the pack was not finished").doesNotExist();
        assertThat(tmp.resolve(StagedOutput.MARKER)).as("SIGKILL runs no cleanup").isRegularFile();
        Path foreign = Files.createDirectory(dir.resolve(".out.tq-tmp-1-notours"));
        Files.writeString(foreign.resolve("keep.txt"), "no marker here");

        Path small = OutputSafetyTest.checkpoint(dir.resolve("small.safetensors"), 0, -1);
        CliRun second = CliRun.of("pack", small.toString(), "-o", out.toString(), "--quiet");

        assertThat(second.exitCode()).as(second.err()).isZero();
        try (TqPack pack = TqPack.open(out, true)) {
            assertThat(pack.names()).hasSize(3);
        }
        assertThat(temporaries(out)).containsExactly(foreign.getFileName().toString());
        assertThat(foreign.resolve("keep.txt")).hasContent("no marker here");
    }

    @Test
    void aTerminatedPackRemovesItsTemporaryDirectoryAndSaysSoInOneLine() throws Exception {
        Path out = dir.resolve("out");
        Path log = dir.resolve("child.log");
        Path tmp = stopPackMidWrite(out, log, false); // SIGTERM on Linux and macOS
        assertThat(out).doesNotExist();
        assertThat(temporaries(out)).as("the shutdown hook removed it").isEmpty();
        List<String> lines = Files.readAllLines(log).stream() // less the JVM's own incubator-module notice
                .filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines).as(Files.readString(log)).hasSize(1);
        assertThat(lines.getFirst()).startsWith("tq: interrupted, removed temporary output ").contains(tmp.toString());
    }

    /**
     * Packs the big checkpoint into {@code out} in a child JVM and stops it once the weights file is being written:
     * forcibly (SIGKILL) or not (SIGTERM). Returns the temporary directory the child was writing; asserts the child
     * was stopped mid-pack and exited non-zero.
     */
    private Path stopPackMidWrite(Path out, Path log, boolean forcibly) throws Exception {
        Process child = startPack(bigCheckpoint(dir.resolve("big.safetensors")), out, log);
        Path tmp;
        try {
            tmp = awaitWeightsBeingWritten(child, out);
        } finally {
            if (forcibly) child.destroyForcibly();
            else child.destroy();
            child.waitFor();
        }
        assertThat(tmp).as("stopped mid-pack: " + Files.readString(log)).isNotNull();
        assertThat(child.exitValue()).isNotZero();
        return tmp;
    }

    private static Process startPack(Path in, Path out, Path log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "pack", in.toString(), "-o", out.toString(), "--threads", "1", "--quiet")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the child has started writing the weights file in its temporary directory; null if it ended first. */
    private static Path awaitWeightsBeingWritten(Process child, Path out) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (child.isAlive() && System.nanoTime() < deadline) {
            Optional<Path> tmp = temporaries(out).stream().map(n -> out.resolveSibling(n))
                    .filter(t -> Files.exists(t.resolve("new").resolve("turboquant_weights.safetensors"))).findFirst();
            if (tmp.isPresent()) return tmp.get();
            Thread.sleep(2);
        }
        return null;
    }

    private static List<String> temporaries(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + out.getFileName() + ".tq-tmp-")).toList();
        }
    }

    /** Two BF16 [4096, 2048] matrices: a few seconds of packing on one thread, long enough to be killed half-way. */
    private static Path bigCheckpoint(Path file) throws IOException {
        Random rnd = new Random(11);
        float[] row = new float[COLS];
        try (SafetensorsWriter w = SafetensorsWriter.create(file, List.of(TensorSpec.of("a.weight", DType.BF16, ROWS, COLS),
                TensorSpec.of("b.weight", DType.BF16, ROWS, COLS)), Map.of())) {
            for (int r = 0; r < 2 * ROWS; r++) {
                for (int c = 0; c < COLS; c++) row[c] = (float) rnd.nextGaussian() * 0.02f;
                w.writeFloats(row, 0, COLS);
            }
        }
        return file;
    }
}
