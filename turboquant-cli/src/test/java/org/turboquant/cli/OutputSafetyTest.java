package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Issue 11, "no command destroys a user's files": {@code --force} replaces only what tq wrote, and replaces a pack
 * only once the new one is complete; a taken output is a usage error (exit 1) in one line.
 */
class OutputSafetyTest {
    @TempDir Path dir;
    Path good;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        good = checkpoint(dir.resolve("good.safetensors"), Float.NaN, -1);
    }

    /** Two 64 × 128 matrices and a bias; {@code poison} at element {@code at} of the second matrix if at ≥ 0. */
    static Path checkpoint(Path file, float poison, int at) throws IOException {
        float[] a = new float[64 * 128], b = new float[64 * 128], bias = new float[64];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(i * 0.37) * 0.05f;
            b[i] = (float) Math.cos(i * 0.11) * 0.04f;
        }
        if (at >= 0) b[at] = poison;
        try (SafetensorsWriter w = SafetensorsWriter.create(file, List.of(TensorSpec.of("layers.0.a.weight", DType.F32, 64, 128),
                TensorSpec.of("layers.0.b.weight", DType.F32, 64, 128), TensorSpec.of("layers.0.b.bias", DType.F32, 64)), Map.of())) {
            w.writeFloats(a, 0, a.length);
            w.writeFloats(b, 0, b.length);
            w.writeFloats(bias, 0, bias.length);
        }
        return file;
    }

    @Test
    void forceOnADirectoryThatIsNotAPackIsRefusedAndLeavesEveryFile() throws IOException {
        Path victim = Files.createDirectory(dir.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), "my notes");
        Files.writeString(Files.createDirectory(victim.resolve("sub")).resolve("deep.txt"), "deeper");
        Map<String, String> before = tree(victim);

        CliRun run = CliRun.of("pack", good.toString(), "-o", victim.toString(), "--force", "--quiet");

        assertThat(run.exitCode()).isEqualTo(1);
        assertOneLine(run, "tq pack: ", victim.getFileName().toString(), "not a pack");
        assertThat(tree(victim)).isEqualTo(before).containsKeys("notes.txt", "sub/deep.txt");
        assertNoTemporaryIn(dir);
    }

    @Test
    void forceOnAPlainFileIsRefusedAndLeavesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("afile.txt"), "not a pack");

        CliRun run = CliRun.of("pack", good.toString(), "-o", file.toString(), "--force", "--quiet");

        assertThat(run.exitCode()).isEqualTo(1);
        assertOneLine(run, "tq pack: ", "afile.txt", "not a directory");
        assertThat(file).isRegularFile().hasContent("not a pack");
        assertNoTemporaryIn(dir);
    }

    @Test
    void forceSwapsAPackOnlyOnceTheNewOneIsComplete() throws IOException {
        Path pack = dir.resolve("pack");
        assertThat(CliRun.of("pack", good.toString(), "-o", pack.toString(), "--quiet").exitCode()).isZero();
        Map<String, String> before = tree(pack);

        // the second matrix holds a NaN half-way down: the run fails after the first matrix was written
        Path bad = checkpoint(dir.resolve("bad.safetensors"), Float.NaN, 40 * 128 + 7);
        CliRun failed = CliRun.of("pack", bad.toString(), "-o", pack.toString(), "--force", "--quiet");

        assertThat(failed.exitCode()).isEqualTo(2);
        assertOneLine(failed, "tq pack: ", "layers.0.b.weight", "row 40");
        assertThat(tree(pack)).as("the old pack, byte for byte").isEqualTo(before);
        assertNoTemporaryIn(dir);

        CliRun replaced = CliRun.of("pack", good.toString(), "-o", pack.toString(), "--force", "--bits", "2", "--quiet");

        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(Files.readString(pack.resolve("quant_manifest.json"))).contains("\"bits\" : 2").doesNotContain("\"bits\" : 4");
        assertThat(tree(pack).keySet()).containsExactlyInAnyOrder("quant_manifest.json", "turboquant_weights.safetensors");
        assertNoTemporaryIn(dir);
    }

    @Test
    void unpackReplacesOnlyACheckpointItWrote() throws IOException {
        Path pack = dir.resolve("pack");
        assertThat(CliRun.of("pack", good.toString(), "-o", pack.toString(), "--quiet").exitCode()).isZero();
        Path mine = Files.writeString(dir.resolve("mine.safetensors"), "precious");

        CliRun plain = CliRun.of("unpack", pack.toString(), "-o", mine.toString(), "--quiet");
        assertThat(plain.exitCode()).isEqualTo(1);
        assertOneLine(plain, "tq unpack: ", "mine.safetensors", "--force");
        CliRun forced = CliRun.of("unpack", pack.toString(), "-o", mine.toString(), "--force", "--quiet");
        assertThat(forced.exitCode()).isEqualTo(1);
        assertOneLine(forced, "tq unpack: ", "mine.safetensors", "not written by tq unpack");
        assertThat(mine).hasContent("precious");
        // the source checkpoint is a safetensors file too, but not one unpack wrote
        assertThat(CliRun.of("unpack", pack.toString(), "-o", good.toString(), "--force", "--quiet").exitCode()).isEqualTo(1);

        Path out = dir.resolve("out.safetensors");
        assertThat(CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet").exitCode()).isZero();
        assertThat(CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet").exitCode()).isEqualTo(1);
        CliRun again = CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--force", "--quiet");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertNoTemporaryIn(dir);
    }

    @Test
    void synthReplacesOnlyACheckpointItWrote() throws IOException {
        Path mine = Files.writeString(dir.resolve("mine.safetensors"), "precious");
        CliRun forced = CliRun.of("synth", "--tiny", "-o", mine.toString(), "--force", "--quiet");
        assertThat(forced.exitCode()).isEqualTo(1);
        assertOneLine(forced, "tq synth: ", "mine.safetensors", "not written by tq synth");
        assertThat(mine).hasContent("precious");
        // a real checkpoint, but not synth's
        String before = tree(dir).get("good.safetensors");
        assertThat(CliRun.of("synth", "--tiny", "-o", good.toString(), "--force", "--quiet").exitCode()).isEqualTo(1);
        assertThat(tree(dir).get("good.safetensors")).isEqualTo(before);

        Path out = dir.resolve("synth.safetensors");
        assertThat(CliRun.of("synth", "--tiny", "-o", out.toString(), "--quiet").exitCode()).isZero();
        assertThat(CliRun.of("synth", "--tiny", "-o", out.toString(), "--quiet").exitCode()).isEqualTo(1);
        CliRun again = CliRun.of("synth", "--tiny", "-o", out.toString(), "--seed", "2", "--force", "--quiet");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertNoTemporaryIn(dir);
    }

    @Test
    void inspectOfAMissingPathSaysItDoesNotExist() {
        Path missing = dir.resolve("nosuch");
        CliRun run = CliRun.of("inspect", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLine(run, "tq inspect: ", "nosuch", "no such file or directory");
        assertThat(run.err()).doesNotContain("not a pack");
    }

    static void assertOneLine(CliRun run, String prefix, String... fragments) {
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.errLines().getFirst()).startsWith(prefix).contains(fragments);
        assertThat(run.err()).doesNotContain("\tat ", "Exception");
    }

    /** Relative path → content (or "dir") of everything under {@code root}. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.equals(root)).toList()) {
                String key = root.relativize(p).toString().replace('\\', '/');
                m.put(key, Files.isDirectory(p) ? "dir" : java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    static void assertNoTemporaryIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tq-tmp-"));
        }
    }
}
