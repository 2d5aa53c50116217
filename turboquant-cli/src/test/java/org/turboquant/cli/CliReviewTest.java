package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Review of the issue-4 pack/CLI code from the outside (Main.run in-process). The round-trip and bad-input suites
 * are CliRoundTripTest and CliBadInputTest; this class holds the regression tests for what the review found.
 */
class CliReviewTest {
    @TempDir Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one in-process run printed and returned. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** Runs Main.run with System.out/err captured; picocli's getErr() wraps System.err at first use, per run. */
    static synchronized Run tq(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(a);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A small PyTorch-style checkpoint: two [out, in] weights (one with rows shorter than 128) and a 1-D norm. */
    static Path checkpoint(Path file) throws IOException {
        Random rnd = new Random(11);
        List<TensorSpec> specs = List.of(
                TensorSpec.of("model.layers.0.self_attn.q_proj.weight", DType.BF16, 128, 256),
                TensorSpec.of("model.layers.0.input_layernorm.weight", DType.BF16, 256),
                TensorSpec.of("model.layers.0.mlp.gate_proj.weight", DType.F32, 64, 96));
        Files.createDirectories(file.getParent());
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of("format", "pt"))) {
            for (TensorSpec s : specs) {
                float[] v = new float[Math.toIntExact(s.byteSize() / s.dtype().byteSize())];
                for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.02);
                w.writeFloats(v, 0, v.length);
            }
        }
        return file;
    }

    private Path packOf(Path src, String name) {
        Path out = tmp.resolve(name);
        Run r = tq("pack", src, "-o", out, "--quiet", "--threads", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        return out;
    }

    /** A copy of {@code pack} whose manifest was edited by {@code edit} (on its root JSON object). */
    private Path withManifest(Path pack, String name, Consumer<ObjectNode> edit) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("turboquant_weights.safetensors", "quant_manifest.json"))
            Files.copy(pack.resolve(f), copy.resolve(f));
        Path manifest = copy.resolve("quant_manifest.json");
        ObjectNode root = (ObjectNode) JSON.readTree(manifest.toFile());
        edit.accept(root);
        JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), root);
        return copy;
    }

    private static ObjectNode tensor(ObjectNode root, String name) {
        for (var t : root.withArray("tensors")) {
            if (name.equals(t.path("name").asText())) return (ObjectNode) t;
        }
        throw new AssertionError("no tensor " + name + " in the manifest");
    }

    private static void assertOneCleanLine(Run r, String... fragments) {
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().getFirst()).contains(fragments);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
    }

    static final String Q = "model.layers.0.self_attn.q_proj.weight";

    // ---- passing checks of the current behaviour that the other CLI suites do not pin ---------------------------

    @Test
    void manifestAndWeightsLayoutMatchDocsFormatPack() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        ObjectNode m = (ObjectNode) JSON.readTree(pack.resolve("quant_manifest.json").toFile());
        assertThat(m.get("format").asText()).isEqualTo("turboquant-pack");
        assertThat(m.get("version").asInt()).isEqualTo(3); // 4-bit codes in the table kernels' order (FORMAT.md §19)
        ObjectNode q = tensor(m, Q);
        assertThat(q.get("parts").get("codes").asText()).isEqualTo(Q + "#codes");
        assertThat(q.get("parts").get("scales").asText()).isEqualTo(Q + "#scales");
        assertThat(q.get("parts").get("centroids").asText()).isEqualTo(Q + "#centroids");
        assertThat(q.get("seed").asText()).matches("[0-9a-f]{16}");
        assertThat(q.get("rows").asInt()).isEqualTo(128);
        assertThat(q.get("cols").asInt()).isEqualTo(256);
        assertThat(q.get("transposed").asBoolean()).isFalse();
        ObjectNode norm = tensor(m, "model.layers.0.input_layernorm.weight");
        assertThat(norm.get("method").asText()).isEqualTo("kept");
        assertThat(norm.get("parts").get("data").asText()).isEqualTo("model.layers.0.input_layernorm.weight");
        // 96 columns, Hadamard: g = 128, so a row holds 128 indices (64 bytes at 4 bits) and one scale, a log8 byte
        // (the default --norm auto where scales are searched, FORMAT.md §5)
        ObjectNode gate = tensor(m, "model.layers.0.mlp.gate_proj.weight");
        assertThat(gate.get("block_size").asInt()).isEqualTo(128);
        assertThat(gate.get("norm_dtype").asText()).isEqualTo("log8");
        assertThat(gate.get("bits_per_weight").asDouble()).isCloseTo((64 * 8 + 8) / 96.0 + 16 * 32 / (64.0 * 96),
                org.assertj.core.data.Offset.offset(1e-5));

        try (var f = org.turboquant.loader.safetensors.SafetensorsFile.open(pack.resolve("turboquant_weights.safetensors"))) {
            assertThat(f.info(Q + "#codes").dtype()).isEqualTo(DType.U8);
            // 128 rows = 8 groups of 16; 256 columns = 2 blocks of 128 indices × 4 bits = 64 bytes
            assertThat(f.info(Q + "#codes").shape()).containsExactly(2, 8, 64, 16);
            assertThat(f.info(Q + "#scales").dtype()).isEqualTo(DType.U8);
            assertThat(f.info(Q + "#scales").shape()).containsExactly(128, 2);
            assertThat(f.info(Q + "#centroids").shape()).containsExactly(16);
            assertThat(f.metadata()).containsEntry("format", "turboquant-pack").containsEntry("version", "3");
        }
    }

    /** Map.of iterates in a per-JVM random order; unpack's metadata must come out sorted for reproducible bytes. */
    @Test
    void unpackWritesItsMetadataInSortedOrder() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path out = tmp.resolve("out.safetensors");
        Run r = tq("unpack", pack, "-o", out, "--quiet");
        assertThat(r.exit()).as(r.err()).isZero();
        byte[] bytes = Files.readAllBytes(out);
        long n = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\",\"turboquant_pack\":\"turboquant-jvm ");
    }

    /** PatternSyntaxException's message is three lines (pattern, caret); --keep and --bits-for take regexes. */
    @Test
    void invalidRegexIsOneUsageLine() throws IOException {
        Path src = checkpoint(tmp.resolve("src/model.safetensors"));
        for (String[] opt : new String[][] {{"--keep", "["}, {"--bits-for", "(=3"}}) {
            Run r = tq("pack", src, "-o", tmp.resolve("out"), opt[0], opt[1]);
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertOneCleanLine(r, "invalid regular expression '" + opt[1].replace("=3", "") + "'");
            assertThat(tmp.resolve("out")).doesNotExist();
        }
    }

    /** createDirectories throws FileAlreadyExistsException without a reason when a parent is a file: "FILE: null". */
    @Test
    void outputUnderAFileIsOneMeaningfulLine() throws IOException {
        Path src = checkpoint(tmp.resolve("src/model.safetensors"));
        Run r = tq("pack", src, "-o", src.resolve("out"));
        assertThat(r.exit()).isEqualTo(3);
        assertOneCleanLine(r, src + ": already exists");
        assertThat(r.err()).doesNotContain("null");
    }

    /** --force used to let unpack overwrite the pack's own weights file, destroying the pack. */
    @Test
    void unpackRefusesToWriteIntoThePack() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path weights = pack.resolve("turboquant_weights.safetensors");
        byte[] before = Files.readAllBytes(weights);
        Run r = tq("unpack", pack, "-o", weights, "--force");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertOneCleanLine(r, "turboquant_weights.safetensors", "inside the pack");
        assertThat(Files.readAllBytes(weights)).isEqualTo(before);
        assertThat(tq("inspect", pack, "--verify").exit()).isZero();
    }

    /** Unpack used Files.createTempFile (mode 0600) and renamed it: the checkpoint was private to its writer. */
    @Test
    void unpackedCheckpointGetsOrdinaryPermissions() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path out = tmp.resolve("out.safetensors");
        assertThat(tq("unpack", pack, "-o", out, "--quiet").exit()).isZero();
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    // ---- regressions for the bugs the review found ---------------------------------------------------------------

    @Test
    void corruptDecodeFieldsInTheManifestAreBadInputNamingFileAndTensor() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Map<String, Consumer<ObjectNode>> edits = Map.of(
                "seed", m -> tensor(m, Q).put("seed", "zz"),
                "block", m -> tensor(m, Q).put("block_size", 100),
                "bits", m -> tensor(m, Q).put("bits", 12),
                "rotation", m -> tensor(m, Q).put("rotation", "spiral"));
        for (var e : edits.entrySet()) {
            Path bad = withManifest(pack, "bad-" + e.getKey(), e.getValue());
            Run r = tq("inspect", bad);
            assertThat(r.exit()).as(e.getKey() + ": " + r.err()).isEqualTo(2);
            assertOneCleanLine(r, "quant_manifest.json", Q);
        }
        Path nullEntry = withManifest(pack, "bad-null", m -> m.withArray("tensors").addNull());
        Run r = tq("inspect", nullEntry);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertOneCleanLine(r, "quant_manifest.json");
    }

    @Test
    void manifestWithoutSourceIsBadInput() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path bad = withManifest(pack, "bad-source", m -> m.remove("source"));
        Run r = tq("inspect", bad);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertOneCleanLine(r, "quant_manifest.json");
    }

    @Test
    void manifestShapeThatDisagreesWithRowsAndColsIsBadInput() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path badShape = withManifest(pack, "bad-shape", m -> {
            ArrayNode shape = tensor(m, Q).putArray("shape");
            shape.add(64).add(256);
        });
        Run r = tq("inspect", badShape, "--verify");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertOneCleanLine(r, "quant_manifest.json", Q);

        Path badDtype = withManifest(pack, "bad-dtype", m -> tensor(m, Q).put("dtype", "X99"));
        r = tq("unpack", badDtype, "-o", tmp.resolve("out.safetensors"));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertOneCleanLine(r, "quant_manifest.json", Q);
    }

    @Test
    void verifyCatchesAChangedSeedInTheManifest() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        Path bad = withManifest(pack, "bad-seed", m -> {
            String seed = tensor(m, Q).get("seed").asText();
            char last = seed.charAt(15);
            tensor(m, Q).put("seed", seed.substring(0, 15) + (last == '0' ? '1' : '0'));
        });
        Run r = tq("inspect", bad, "--verify");
        assertThat(r.exit()).as(r.out()).isEqualTo(2);
        assertOneCleanLine(r, "checksum mismatch", Q);
    }

    @Test
    void packRefusesToReplaceItsOwnInput() throws IOException {
        Path src = checkpoint(tmp.resolve("ckpt/model.safetensors"));
        byte[] before = Files.readAllBytes(src);

        Run intoParent = tq("pack", src, "-o", tmp.resolve("ckpt"), "--force", "--quiet");
        assertThat(intoParent.exit()).as(intoParent.err()).isEqualTo(2);
        assertOneCleanLine(intoParent, "model.safetensors");
        assertThat(src).isRegularFile();
        assertThat(Files.readAllBytes(src)).isEqualTo(before);

        Run ontoItself = tq("pack", src, "-o", src, "--force", "--quiet");
        assertThat(ontoItself.exit()).as(ontoItself.err()).isEqualTo(2);
        assertThat(src).isRegularFile();
        assertThat(Files.readAllBytes(src)).isEqualTo(before);
    }

    @Test
    void failedPackLeavesNoParentDirectories() throws IOException {
        Run missing = tq("pack", tmp.resolve("nope.safetensors"), "-o", tmp.resolve("a/b/out"));
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(tmp.resolve("a")).doesNotExist();

        Path src = checkpoint(tmp.resolve("src/model.safetensors"));
        byte[] bytes = Files.readAllBytes(src);
        // poison the last F32 weight: the gate_proj tensor is last in the file
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(bytes.length - 4, Float.NaN);
        Path nan = Files.write(tmp.resolve("src/nan.safetensors"), bytes);
        Run r = tq("pack", nan, "-o", tmp.resolve("c/d/out"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("NaN");
        assertThat(tmp.resolve("c")).doesNotExist();
    }

    @Test
    void quantizingNeverMakesATensorBigger() throws IOException {
        Path src = tmp.resolve("narrow.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(src,
                List.of(TensorSpec.of("head.weight", DType.BF16, 8192, 2)), Map.of())) {
            float[] v = new float[8192 * 2];
            Random rnd = new Random(5);
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
            w.writeFloats(v, 0, v.length);
        }
        Path pack = packOf(src, "pack");
        ObjectNode m = (ObjectNode) JSON.readTree(pack.resolve("quant_manifest.json").toFile());
        assertThat(tensor(m, "head.weight").get("bits_per_weight").asDouble()).isLessThanOrEqualTo(16.0);
    }

    /** Regression test for the 0700 pack directory found in review (fixed in bd2cb85). */
    @Test
    void packDirectoryIsReadableByOthers() throws IOException {
        Path pack = packOf(checkpoint(tmp.resolve("src/model.safetensors")), "pack");
        assertThat(Files.getPosixFilePermissions(pack)).contains(PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_EXECUTE);
    }
}
