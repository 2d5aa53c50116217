package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/** pack → inspect / eval / unpack through the command line, checking the files a user (or Python) would read. */
class CliRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 48, COLS = 256;

    @TempDir Path dir;
    Path model;
    float[] matrix, zeroRows, bias;

    @BeforeEach
    void writeModel() throws IOException {
        model = dir.resolve("model.safetensors");
        java.util.Random rnd = new java.util.Random(11);
        matrix = new float[ROWS * COLS];
        for (int i = 0; i < matrix.length; i++) matrix[i] = (float) rnd.nextGaussian() * 0.03f;
        zeroRows = matrix.clone();
        for (int r = 0; r < ROWS; r += 3) java.util.Arrays.fill(zeroRows, r * COLS, (r + 1) * COLS, 0f);
        bias = new float[COLS];
        for (int i = 0; i < COLS; i++) bias[i] = i * 0.001f;
        try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(
                TensorSpec.of("layer.weight", DType.F32, ROWS, COLS),
                TensorSpec.of("layer.sparse.weight", DType.F32, ROWS, COLS),
                TensorSpec.of("layer.bias", DType.F32, COLS)), Map.of())) {
            w.writeFloats(matrix, 0, matrix.length);
            w.writeFloats(zeroRows, 0, zeroRows.length);
            w.writeFloats(bias, 0, bias.length);
        }
    }

    @ParameterizedTest
    @CsvSource({"f32, F32, 4", "f16, F16, 2", "bf16, BF16, 2"})
    void unpackWritesAPlainSafetensorsFileWithTheOriginalNamesAndShapes(String option, String dtype, int bytesPerValue)
            throws IOException {
        Path pack = pack();
        Path out = dir.resolve("restored.safetensors");

        CliRun run = CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--dtype", option, "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();

        // What any safetensors reader relies on: u64 LE header length, JSON header, contiguous data to the end.
        byte[] bytes = Files.readAllBytes(out);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat((8 + headerLength) % 8).as("data section aligned to 8").isZero();
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("__metadata__", "layer.weight", "layer.sparse.weight", "layer.bias");
        long expectedOffset = 0;
        for (String name : List.of("layer.weight", "layer.sparse.weight", "layer.bias")) {
            JsonNode t = header.get(name);
            assertThat(t.get("dtype").asText()).isEqualTo(dtype);
            long elements = name.equals("layer.bias") ? COLS : (long) ROWS * COLS;
            assertThat(t.get("shape").toString()).isEqualTo(name.equals("layer.bias") ? "[" + COLS + "]" : "[" + ROWS + "," + COLS + "]");
            assertThat(t.get("data_offsets").get(0).asLong()).isEqualTo(expectedOffset);
            expectedOffset += elements * bytesPerValue;
            assertThat(t.get("data_offsets").get(1).asLong()).isEqualTo(expectedOffset);
        }
        assertThat(8 + headerLength + expectedOffset).isEqualTo(bytes.length);

        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            float[] w = read(f, "layer.weight", DType.valueOf(dtype), ROWS * COLS);
            assertThat(relativeMse(matrix, w)).isBetween(1e-4, 0.02); // quantized at 4 bits: close, not exact
            float[] sparse = read(f, "layer.sparse.weight", DType.valueOf(dtype), ROWS * COLS);
            for (int r = 0; r < ROWS; r += 3) {
                for (int c = 0; c < COLS; c++) assertThat(sparse[r * COLS + c]).as("all-zero row %d", r).isZero();
            }
            float[] b = read(f, "layer.bias", DType.valueOf(dtype), COLS);
            for (int i = 0; i < COLS; i++) assertThat(b[i]).isCloseTo(bias[i], within(Math.abs(bias[i]) / 64 + 1e-7f));
        }
    }

    @Test
    void inspectJsonListsEveryTensorWithMethodAndBitsPerWeight() throws IOException {
        Path pack = pack("--bits-for", "sparse=2");
        CliRun run = CliRun.of("inspect", pack.toString(), "--json", "--verify");
        assertThat(run.exitCode()).as(run.err()).isZero();
        String all = JSON.readTree(run.out()).toString();
        assertThat(all).contains("layer.weight", "layer.sparse.weight", "layer.bias", "turboquant", "kept");
        CliRun text = CliRun.of("inspect", pack.toString());
        assertThat(text.out()).contains("layer.sparse.weight").containsPattern("turboquant\\s+2\\s");
    }

    @Test
    void evalReportsErrorsThatMatchTheBitWidth() throws IOException {
        Path pack = pack("--bits-for", "sparse=2");
        CliRun run = CliRun.of("eval", model.toString(), pack.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = JSON.readTree(run.out());
        Map<String, Double> relMse = new java.util.HashMap<>();
        collect(root, relMse);
        // Lloyd–Max on sphere coordinates: about 0.0095 at 4 bits and 0.117 at 2 bits (docs/method.md).
        assertThat(relMse.get("layer.weight")).isBetween(0.006, 0.013);
        assertThat(relMse.get("layer.sparse.weight")).isBetween(0.08, 0.15);
        CliRun text = CliRun.of("eval", model.toString(), pack.toString(), "--quiet");
        assertThat(text.out()).contains("summary:", "layer.weight");
    }

    @Test
    void versionIsTheProjectVersion() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("0.1.0");
    }

    /**
     * HashMap and Map.of iteration orders change from one JVM to the next, so packing twice in one JVM proves little:
     * pack in three child JVMs (a two-way order coin flip escapes all three only one time in four).
     */
    @Test
    void packsMadeInSeparateJvmsAreByteIdentical() throws Exception {
        List<Path> packs = List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("c"));
        for (Path p : packs) packInChildJvm(p);
        for (Path p : packs.subList(1, packs.size())) {
            for (String f : List.of("turboquant_weights.safetensors", "quant_manifest.json")) {
                assertThat(Files.mismatch(packs.getFirst().resolve(f), p.resolve(f))).as(p + "/" + f).isEqualTo(-1);
            }
        }
    }

    private void packInChildJvm(Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "pack", model.toString(), "-o",
                out.toString(), "--quiet").redirectErrorStream(true).redirectOutput(dir.resolve(out.getFileName() + ".log").toFile())
                .start();
        assertThat(p.waitFor()).as(Files.readString(dir.resolve(out.getFileName() + ".log"))).isZero();
    }

    @Test
    void aFractionalRateIsPackedInspectedAndEvaluatedAtTheRealisedAverage() throws IOException {
        Path pack = pack("--bits", "4.5"); // at 4.25 the second codebook and the width map would eat these small tensors' spare bits
        CliRun text = CliRun.of("inspect", pack.toString(), "--verify");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("turboquant-pack v3").containsPattern("layer.sparse.weight\\s+turboquant\\s+4/5 \\d+%"); // its zero rows concentrate its energy
        // 48 rows of whole chunks at 4/5 bits: stored in 16-row cells, which inspect names
        assertThat(text.out()).containsPattern("layer.sparse.weight\\s+turboquant .*mixed_row_groups_16");
        // unpack writes what the pack decodes to (the grouped row look-up gathers each row from its cells)
        Path restored = dir.resolve("fractional.safetensors");
        CliRun unpack = CliRun.of("unpack", pack.toString(), "-o", restored.toString(), "--dtype", "f32", "--quiet");
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        try (var pk = org.turboquant.loader.pack.TqPack.open(pack);
             var src = org.turboquant.loader.source.TensorSource.open(restored)) {
            float[] got = new float[ROWS * COLS];
            src.readFloats(src.tensor("layer.sparse.weight"), 0, got, 0, got.length);
            assertThat(pk.tensor("layer.sparse.weight").mixedMatrix().grouped()).isTrue();
            assertThat(got).isEqualTo(pk.tensor("layer.sparse.weight").dequantize());
        }
        JsonNode totals = JSON.readTree(CliRun.of("inspect", pack.toString(), "--json").out()).get("totals");
        assertThat(totals.get("quantizedBitsPerWeight").asDouble()).isLessThanOrEqualTo(4.5).isGreaterThan(4.45);
        CliRun eval = CliRun.of("eval", model.toString(), pack.toString(), "--quiet");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.out()).containsPattern("4\\.(4[5-9]|50)\\d bits per weight");
        CliRun rtn = CliRun.of("pack", model.toString(), "-o", dir.resolve("r").toString(), "--method", "rtn", "--bits", "4.5");
        assertThat(rtn.exitCode()).isEqualTo(1);
        assertThat(rtn.errLines()).hasSize(1);
        assertThat(rtn.err()).contains("fractional bits need --method turboquant");
    }

    /** --norm auto (the default): log8 scales where the scale is searched, f16 at 8 bits or with --scale norm. */
    @ParameterizedTest
    @CsvSource({"4, search, auto, log8", "4.25, search, auto, log8", "8, search, auto, f16", "4, norm, auto, f16",
            "4, search, f16, f16", "8, search, log8, log8"})
    void theDefaultNormIsLog8WhereScalesAreSearched(String bits, String scale, String norm, String expected) throws IOException {
        Path pack = pack("--bits", bits, "--scale", scale, "--norm", norm);
        JsonNode manifest = JSON.readTree(pack.resolve("quant_manifest.json").toFile());
        assertThat(manifest.toString()).contains("\"norm\":\"" + expected + "\"");
        assertThat(manifest.toString()).doesNotContain("\"norm\":\"" + (expected.equals("f16") ? "log8" : "f16") + "\"");
        CliRun run = CliRun.of("unpack", pack.toString(), "-o", dir.resolve("u.safetensors").toString(), "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("u.safetensors"))) {
            double err = relativeMse(matrix, read(f, "layer.weight", DType.F32, matrix.length));
            assertThat(err).isLessThan(Double.parseDouble(bits) >= 8 ? 1e-4 : 1.2e-2);
        }
    }

    private Path pack(String... extra) {
        Path pack = dir.resolve("pack");
        List<String> args = new ArrayList<>(List.of("pack", model.toString(), "-o", pack.toString(), "--quiet", "--force"));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return pack;
    }

    /** Finds objects with a tensor name and a relative MSE, wherever eval --json puts them. */
    private static void collect(JsonNode node, Map<String, Double> out) {
        if (node.isObject()) {
            JsonNode name = node.has("name") ? node.get("name") : node.get("tensor");
            JsonNode mse = null;
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (f.toLowerCase(java.util.Locale.ROOT).replace("_", "").startsWith("relativemse") || f.equals("rel_mse"))
                    mse = node.get(f);
            }
            if (name != null && mse != null && mse.isNumber()) out.put(name.asText(), mse.asDouble());
        }
        for (JsonNode child : node) collect(child, out);
    }

    private static float[] read(SafetensorsFile f, String name, DType dtype, int n) {
        float[] out = new float[n];
        FloatCodec.decode(f.segment(name), dtype, 0, out, 0, n);
        return out;
    }

    private static double relativeMse(float[] ref, float[] got) {
        double err = 0, energy = 0;
        for (int i = 0; i < ref.length; i++) {
            err += (ref[i] - got[i]) * (double) (ref[i] - got[i]);
            energy += ref[i] * (double) ref[i];
        }
        return err / energy;
    }
}
