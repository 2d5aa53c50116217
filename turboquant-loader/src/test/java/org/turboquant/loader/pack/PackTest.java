package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

class PackTest {
    @TempDir Path tmp;

    static final int ROWS = 96, COLS = 384;

    /** A small checkpoint: one [out, in] weight, an embedding table, a bias, and a tensor with zero rows. */
    static Path checkpoint(Path dir, float poison) throws IOException {
        Random rnd = new Random(7);
        float[] w = gaussian(rnd, ROWS * COLS);
        w[5 * COLS + 3] = poison == 0 ? w[5 * COLS + 3] : poison;
        float[] emb = gaussian(rnd, 300 * 128);
        float[] bias = gaussian(rnd, ROWS);
        float[] zeros = gaussian(rnd, 64 * 128);
        Arrays.fill(zeros, 10 * 128, 12 * 128, 0f);
        Path file = dir.resolve("model.safetensors");
        try (SafetensorsWriter out = SafetensorsWriter.create(file, List.of(
                TensorSpec.of("layers.0.mlp.weight", DType.F32, ROWS, COLS),
                TensorSpec.of("embed_tokens.weight", DType.F32, 300, 128),
                TensorSpec.of("layers.0.mlp.bias", DType.F32, ROWS),
                TensorSpec.of("layers.0.attn.weight", DType.BF16, 64, 128)), Map.of())) {
            out.writeFloats(w, 0, w.length);
            out.writeFloats(emb, 0, emb.length);
            out.writeFloats(bias, 0, bias.length);
            out.writeFloats(zeros, 0, zeros.length);
        }
        return file;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
        return v;
    }

    static PackOptions options() {
        return PackOptions.defaults().withThreads(2);
    }

    @Test
    void packsDecodesAndKeepsWhatItShould() throws IOException {
        Path src = checkpoint(tmp, 0);
        Packer.Summary s = Packer.pack(src, tmp.resolve("pack"), options(), false, ProgressListener.NONE);
        assertThat(s.tensors()).isEqualTo(4);
        assertThat(s.quantized()).isEqualTo(3);
        try (TqPack pack = TqPack.open(tmp.resolve("pack"), true);
             var source = org.turboquant.loader.source.TensorSource.open(src)) {
            assertThat(pack.names()).containsExactly("layers.0.mlp.weight", "embed_tokens.weight", "layers.0.mlp.bias",
                    "layers.0.attn.weight");
            assertThat(pack.tensor("layers.0.mlp.bias").method()).isEqualTo(Method.KEPT);
            assertThat(pack.tensor("layers.0.mlp.bias").manifestEntry().keptReason()).contains("rank 1");
            for (String name : List.of("layers.0.mlp.weight", "embed_tokens.weight", "layers.0.attn.weight")) {
                TqTensor t = pack.tensor(name);
                float[] orig = new float[(int) t.numel()];
                source.readFloats(source.tensor(name), 0, orig, 0, orig.length);
                // 4-bit TurboQuant: relative squared error near the codebook's 0.0095
                assertThat(relativeError(orig, t.dequantize())).as(name).isBetween(0.004, 0.016);
                assertThat(t.bitsPerWeight()).as(name).isBetween(4.0, 4.3);
            }
            float[] withZeros = pack.tensor("layers.0.attn.weight").dequantize();
            for (int i = 10 * 128; i < 12 * 128; i++) assertThat(withZeros[i]).isZero();
            float[] bias = pack.tensor("layers.0.mlp.bias").dequantize();
            float[] origBias = new float[ROWS];
            source.readFloats(source.tensor("layers.0.mlp.bias"), 0, origBias, 0, ROWS);
            assertThat(bias).containsExactly(origBias);
        }
    }

    @Test
    void baselinesRoundTripThroughThePack() throws IOException {
        Path src = checkpoint(tmp, 0);
        Map<Method, double[]> expected = Map.of(Method.Q8_0, new double[] {0, 1e-4}, Method.Q4_0, new double[] {0.002, 0.03},
                Method.RTN, new double[] {0.005, 0.06});
        for (var e : expected.entrySet()) {
            Path out = tmp.resolve(e.getKey().id());
            Packer.pack(src, out, options().withMethod(e.getKey()), false, ProgressListener.NONE);
            try (TqPack pack = TqPack.open(out, true); var source = org.turboquant.loader.source.TensorSource.open(src)) {
                TqTensor t = pack.tensor("layers.0.mlp.weight");
                assertThat(t.method()).isEqualTo(e.getKey());
                float[] orig = new float[ROWS * COLS];
                source.readFloats(source.tensor("layers.0.mlp.weight"), 0, orig, 0, orig.length);
                assertThat(relativeError(orig, t.dequantize())).as(e.getKey().id()).isBetween(e.getValue()[0], e.getValue()[1]);
            }
        }
    }

    @Test
    void sameInputAndOptionsGiveTheSameBytes() throws IOException {
        Path src = checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("a"), options().withThreads(1), false, ProgressListener.NONE);
        Packer.pack(src, tmp.resolve("b"), options().withThreads(2), false, ProgressListener.NONE);
        for (String f : List.of(Manifest.WEIGHTS_FILE, Manifest.FILE_NAME)) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
    }

    @Test
    void optionsReachTheManifest() throws IOException {
        Path src = checkpoint(tmp, 0);
        PackOptions o = options().withBlock(BlockLayout.WHOLE_ROW, RotationKind.QR).withNorm(NormPrecision.F32, true)
                .withKeep(Pattern.compile("embed"), List.of(PackOptions.BitsRule.parse("attn=2")), false);
        Packer.pack(src, tmp.resolve("p"), o, false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(tmp.resolve("p"))) {
            Manifest.TensorEntry mlp = pack.tensor("layers.0.mlp.weight").manifestEntry();
            assertThat(mlp.blockSize()).isEqualTo(COLS);
            assertThat(mlp.rotation()).isEqualTo("qr");
            assertThat(mlp.normDtype()).isEqualTo("f32");
            assertThat(mlp.normCorrection()).isTrue();
            assertThat(pack.tensor("layers.0.attn.weight").bits()).isEqualTo(2);
            assertThat(pack.tensor("embed_tokens.weight").manifestEntry().keptReason()).isEqualTo("matches --keep");
        }
    }

    @Test
    void matvecFromSixteenThreadsMatchesOneThread() throws Exception {
        Path src = checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("p"), options(), false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(tmp.resolve("p"))) {
            TqTensor w = pack.tensor("layers.0.mlp.weight");
            float[] x = gaussian(new Random(3), COLS);
            float[] expected = new float[ROWS];
            w.matvec(x, expected);
            float[] dense = w.dequantize();
            for (int r = 0; r < ROWS; r++) {
                double dot = 0;
                for (int c = 0; c < COLS; c++) dot += dense[r * COLS + c] * x[c];
                assertThat(expected[r]).isCloseTo((float) dot, org.assertj.core.data.Offset.offset(1e-4f));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    results.add(pool.submit(() -> {
                        float[] y = new float[ROWS];
                        for (int i = 0; i < 20; i++) w.matvec(x, y);
                        return y;
                    }));
                }
                for (Future<float[]> f : results) assertThat(f.get()).containsExactly(expected);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void prepareDoesTheFirstProductsWorkWithoutChangingResults() throws Exception {
        Path src = checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("p"), options(), false, ProgressListener.NONE);
        float[] x = gaussian(new Random(5), COLS), plain = new float[ROWS], prepared = new float[ROWS];
        try (TqPack pack = TqPack.open(tmp.resolve("p"))) {
            pack.tensor("layers.0.mlp.weight").matvec(x, plain);
        }
        try (TqPack pack = TqPack.open(tmp.resolve("p"))) {
            TqTensor w = pack.tensor("layers.0.mlp.weight");
            w.prepare();
            w.prepare(); // idempotent
            w.matvec(x, prepared);
        }
        assertThat(prepared).containsExactly(plain);
    }

    @Test
    void nonFiniteWeightFailsCleanlyAndLeavesNothing() throws IOException {
        Path src = checkpoint(tmp, Float.NaN);
        Path out = tmp.resolve("p");
        assertThatThrownBy(() -> Packer.pack(src, out, options(), false, ProgressListener.NONE))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("layers.0.mlp.weight").hasMessageContaining("row 5, column 3 is NaN");
        assertThat(out).doesNotExist();
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
        Packer.pack(src, out, options().withKeep(null, List.of(), true), false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(out)) {
            assertThat(pack.tensor("layers.0.mlp.weight").method()).isEqualTo(Method.KEPT);
        }
    }

    @Test
    void existingOutputIsRefusedWithoutForce() throws IOException {
        Path src = checkpoint(tmp, 0);
        Path out = Files.createDirectories(tmp.resolve("p"));
        assertThatThrownBy(() -> Packer.pack(src, out, options(), false, ProgressListener.NONE))
                .isInstanceOf(FileAlreadyExistsException.class);
        Packer.pack(src, out, options(), true, ProgressListener.NONE);
        assertThat(out.resolve(Manifest.FILE_NAME)).exists();
    }

    @Test
    void flippedByteIsCaughtByVerify() throws IOException {
        Path src = checkpoint(tmp, 0);
        Path out = tmp.resolve("p");
        Packer.pack(src, out, options(), false, ProgressListener.NONE);
        Path weights = out.resolve(Manifest.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1000] ^= 0x10;
        Files.write(weights, bytes);
        TqPack.open(out).close(); // structure is intact: opening without verify works
        assertThatThrownBy(() -> TqPack.open(out, true)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void manifestProblemsAreBadInput() throws IOException {
        Path src = checkpoint(tmp, 0);
        Path out = tmp.resolve("p");
        Packer.pack(src, out, options(), false, ProgressListener.NONE);
        Path manifest = out.resolve(Manifest.FILE_NAME);
        String json = Files.readString(manifest);

        Files.writeString(manifest, json.replaceFirst("\"version\" : \\d+", "\"version\" : 99"));
        assertThatThrownBy(() -> TqPack.open(out)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("unsupported format version 99");

        Files.writeString(manifest, json.replace("layers.0.mlp.weight#codes", "layers.0.mlp.weight#gone"));
        assertThatThrownBy(() -> TqPack.open(out)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("layers.0.mlp.weight").hasMessageContaining("missing");

        // a scale type the reader does not know is refused, not read as F16
        Files.writeString(manifest, json.replaceFirst("\"norm_dtype\" : \"\\w+\"", "\"norm_dtype\" : \"bf16\""));
        assertThatThrownBy(() -> TqPack.open(out).tensors().forEach(TqTensor::rows))
                .isInstanceOf(BadInputException.class).hasMessageContaining("norm_dtype 'bf16' is not one of");

        Files.writeString(manifest, "{ not json");
        assertThatThrownBy(() -> TqPack.open(out)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("invalid manifest");
    }

    static double relativeError(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += a[i] * (double) a[i];
        }
        return num / den;
    }
}
