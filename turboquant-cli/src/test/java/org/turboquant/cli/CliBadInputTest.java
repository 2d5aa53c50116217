package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * The command line on bad input, run in-process: the right exit code (1 usage, 2 bad input, 3 I/O), one line on
 * stderr naming the file, no stack trace without --debug, and nothing written.
 */
class CliBadInputTest {
    private static final int ROWS = 64, COLS = 128;

    @TempDir Path dir;
    Path good;

    @BeforeEach
    void writeGoodCheckpoint() throws IOException {
        good = dir.resolve("good.safetensors");
        writeMatrix(good, "w", i -> (float) Math.sin(i * 0.37) * 0.05f);
    }

    static Stream<Arguments> badSafetensors() {
        String okHeader = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        return Stream.of(
                Arguments.of("empty file", new byte[0]),
                Arguments.of("shorter than the length prefix", new byte[] {1, 2, 3}),
                Arguments.of("header length beyond the file", withHeader(okHeader, 100_000, 16)),
                Arguments.of("absurd header length", withHeader(okHeader, Long.MAX_VALUE / 2, 16)),
                Arguments.of("invalid JSON", withHeader("{\"w\":{\"dtype\":", -1, 0)),
                Arguments.of("unknown dtype", withHeader(okHeader.replace("F32", "Q9"), -1, 16)),
                Arguments.of("shape does not match the byte range", withHeader(okHeader.replace("[2,2]", "[3,2]"), -1, 16)),
                Arguments.of("data beyond the end of the file", withHeader(okHeader, -1, 8)),
                Arguments.of("overlapping tensors", withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", -1, 12)),
                Arguments.of("duplicate names", withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", -1, 8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSafetensors")
    void packRejectsBadSafetensorsWithExitCode2AndOneLine(String what, byte[] bytes) throws IOException {
        Path input = dir.resolve("bad.safetensors");
        Files.write(input, bytes);
        Path out = dir.resolve("out");

        CliRun run = CliRun.of("pack", input.toString(), "-o", out.toString(), "--quiet");

        assertThat(run.exitCode()).as(what).isEqualTo(2);
        assertOneLineNaming(run, "tq pack: ", input);
        assertNothingWrittenBeside(out, "good.safetensors", "bad.safetensors");
    }

    @Test
    void nanWeightIsRejectedNamingTensorAndRow() throws IOException {
        Path input = dir.resolve("nan.safetensors");
        writeMatrix(input, "model.layers.0.mlp.up_proj.weight", i -> i == 37 * COLS + 5 ? Float.NaN : 0.01f);
        Path out = dir.resolve("out");

        CliRun run = CliRun.of("pack", input.toString(), "-o", out.toString(), "--quiet");

        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLineNaming(run, "tq pack: ", input);
        assertThat(run.errLines().getFirst()).contains("model.layers.0.mlp.up_proj.weight", "row 37");
        assertNothingWrittenBeside(out, "good.safetensors", "nan.safetensors");
    }

    @Test
    void infWeightCanBeKeptUnquantizedOnRequest() throws IOException {
        Path input = dir.resolve("inf.safetensors");
        writeMatrix(input, "w", i -> i == 3 ? Float.POSITIVE_INFINITY : 0.01f);
        Path out = dir.resolve("out");

        CliRun run = CliRun.of("pack", input.toString(), "-o", out.toString(), "--quiet", "--keep-non-finite");

        assertThat(run.exitCode()).isZero();
        CliRun inspect = CliRun.of("inspect", out.toString(), "--json");
        assertThat(inspect.exitCode()).isZero();
        assertThat(inspect.out()).contains("\"kept\"");
    }

    @Test
    void nonexistentInputIsBadInputNamingThePath() {
        Path missing = dir.resolve("no-such-model.safetensors");
        CliRun run = CliRun.of("pack", missing.toString(), "-o", dir.resolve("out").toString(), "--quiet");

        // The loader reports a missing input as bad input (the user named something that is not a model).
        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLineNaming(run, "tq pack: ", missing);
        assertThat(run.errLines().getFirst()).containsIgnoringCase("no such file");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void existingOutputIsRefusedWithAndWithoutForceAndLeftAlone() throws IOException {
        Path out = Files.createDirectory(dir.resolve("out"));
        Path marker = Files.writeString(out.resolve("keep-me.txt"), "mine");

        CliRun run = CliRun.of("pack", good.toString(), "-o", out.toString(), "--quiet");

        assertThat(run.exitCode()).isEqualTo(1); // a usage error: the command line names a taken output
        assertOneLineNaming(run, "tq pack: ", out);
        assertThat(run.errLines().getFirst()).contains("--force");
        assertThat(Files.readString(marker)).isEqualTo("mine");

        // --force replaces only a pack: a directory of other things is refused and left as it was (issue 11)
        CliRun forced = CliRun.of("pack", good.toString(), "-o", out.toString(), "--quiet", "--force");
        assertThat(forced.exitCode()).isEqualTo(1);
        assertOneLineNaming(forced, "tq pack: ", out);
        assertThat(forced.errLines().getFirst()).contains("not a pack");
        assertThat(Files.readString(marker)).isEqualTo("mine");
        assertThat(out.resolve("quant_manifest.json")).doesNotExist();
    }

    @Test
    void flippedByteInAPackIsCaughtByInspectVerify() throws IOException {
        Path pack = packGood();
        assertThat(CliRun.of("inspect", pack.toString(), "--verify").exitCode()).isZero();
        Path weights = pack.resolve("turboquant_weights.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 100] ^= 0x10; // inside the data section, past the header
        Files.write(weights, bytes);

        assertThat(CliRun.of("inspect", pack.toString()).exitCode()).as("without --verify").isZero();
        CliRun run = CliRun.of("inspect", pack.toString(), "--verify");

        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLineNaming(run, "tq inspect: ", weights);
        assertThat(run.errLines().getFirst()).contains("'w'", "checksum");
    }

    @Test
    void unsupportedFormatVersionIsRejected() throws IOException {
        Path pack = packGood();
        Path manifest = pack.resolve("quant_manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"version\" : \\d+", "\"version\" : 99"));

        for (String[] cmd : new String[][] {{"inspect", pack.toString()},
                {"unpack", pack.toString(), "-o", dir.resolve("u.safetensors").toString()},
                {"eval", good.toString(), pack.toString()}}) {
            CliRun run = CliRun.of(cmd);
            assertThat(run.exitCode()).as(cmd[0]).isEqualTo(2);
            assertOneLineNaming(run, "tq " + cmd[0] + ": ", manifest);
            assertThat(run.errLines().getFirst()).contains("version 99");
        }
        assertThat(dir.resolve("u.safetensors")).doesNotExist();
    }

    @Test
    void manifestNamingAMissingPartIsRejected() throws IOException {
        Path pack = packGood();
        Path manifest = pack.resolve("quant_manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"w#codes\"", "\"w#nowhere\""));

        CliRun run = CliRun.of("unpack", pack.toString(), "-o", dir.resolve("u.safetensors").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().getFirst()).startsWith("tq unpack: ").contains("'w'", "w#nowhere");
        assertThat(dir.resolve("u.safetensors")).doesNotExist();
    }

    @Test
    void notAPackIsBadInput() {
        CliRun run = CliRun.of("inspect", dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLineNaming(run, "tq inspect: ", dir);
    }

    @Test
    void usageErrorsExitWith1() {
        assertThat(CliRun.of("pack", good.toString()).exitCode()).as("missing -o").isEqualTo(1);
        assertThat(CliRun.of("pack", good.toString(), "-o", "x", "--no-such-option").exitCode()).isEqualTo(1);
        assertThat(CliRun.of("frobnicate").exitCode()).isEqualTo(1);
        CliRun badBits = CliRun.of("pack", good.toString(), "-o", dir.resolve("o").toString(), "--bits", "12");
        assertThat(badBits.exitCode()).isEqualTo(1);
        assertThat(badBits.errLines()).hasSize(1);
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void debugPrintsTheStackTrace() throws IOException {
        Path input = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        CliRun run = CliRun.of("--debug", "pack", input.toString(), "-o", dir.resolve("o").toString(), "--quiet");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("BadInputException", "\tat ");
    }

    private Path packGood() {
        Path pack = dir.resolve("pack");
        CliRun run = CliRun.of("pack", good.toString(), "-o", pack.toString(), "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return pack;
    }

    private static void assertOneLineNaming(CliRun run, String prefix, Path file) {
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.errLines().getFirst()).startsWith(prefix).contains(file.getFileName().toString());
        assertThat(run.err()).doesNotContain("\tat ", "Exception");
    }

    /** Only the listed files remain in the parent of {@code out}: no output, no temporary directory. */
    private void assertNothingWrittenBeside(Path out, String... expected) throws IOException {
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(expected);
        }
    }

    private static void writeMatrix(Path file, String name, java.util.function.IntToDoubleFunction value)
            throws IOException {
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) w[i] = (float) value.applyAsDouble(i);
        try (SafetensorsWriter out = SafetensorsWriter.create(file, java.util.List.of(TensorSpec.of(name, DType.F32, ROWS, COLS)),
                java.util.Map.of())) {
            out.writeFloats(w, 0, w.length);
        }
    }

    /** A safetensors file: 8-byte length (the header's own when {@code declaredLength} is -1), header, data. */
    private static byte[] withHeader(String json, long declaredLength, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h);
        return b.array();
    }
}
