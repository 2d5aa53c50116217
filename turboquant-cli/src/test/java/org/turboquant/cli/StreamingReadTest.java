package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import org.turboquant.loader.source.TensorSource;

/**
 * {@code tq unpack} and {@code tq eval} stream tensors by row bands (64 Ki floats); what they produce must equal the
 * whole-tensor path ({@link TqTensor#dequantize()}): a [300, 256] matrix (two bands, the second partial) and an ONNX
 * MatMul weight [384, 1536] stored transposed (ten bands of 170 quantized rows, the last of 6).
 */
class StreamingReadTest {
    @TempDir Path dir;

    @Test
    void rowBandsOfAPlainMatrixEqualTheWholeTensor() throws Exception {
        Path model = dir.resolve("m.safetensors");
        float[] w = new float[300 * 256];
        Random rnd = new Random(5);
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian() * 0.05f;
        try (SafetensorsWriter out = SafetensorsWriter.create(model, java.util.List.of(TensorSpec.of("w", DType.F32, 300, 256)), Map.of())) {
            out.writeFloats(w, 0, w.length);
        }
        checkStreamingAgainstWholeTensor(model, "w", new String[0]);
    }

    /** 73 s under load 12 (it packs, unpacks and evaluates all of MiniLM): opt-in, -Dturboquant.slowTests=true. */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "turboquant.slowTests", matches = "true")
    void rowBandsOfATransposedOnnxWeightEqualTheWholeTensor() throws Exception {
        ModelFiles files = ModelFiles.extractMiniLm(Path.of("target", "minilm-test"));
        String up = "onnx::MatMul_896"; // an FFN up-projection [384, 1536], quantized as its transpose
        checkStreamingAgainstWholeTensor(files.model(), up, new String[] {"--keep", "^(?!onnx::MatMul_896$)"});
    }

    private void checkStreamingAgainstWholeTensor(Path model, String name, String[] extra) throws Exception {
        Path pack = dir.resolve("pack"), out = dir.resolve("u.safetensors");
        String[] args = concat(new String[] {"pack", model.toString(), "-o", pack.toString(), "--quiet"}, extra);
        CliRun packed = CliRun.of(args);
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        CliRun unpack = CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet");
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        CliRun eval = CliRun.of("eval", model.toString(), pack.toString(), "--json", "--quiet");
        assertThat(eval.exitCode()).as(eval.err()).isZero();

        float[] whole, orig;
        try (TqPack p = TqPack.open(pack); TensorSource source = TensorSource.open(model)) {
            TqTensor t = p.tensor(name);
            assertThat(t.quantized()).isTrue();
            whole = t.dequantize();
            orig = new float[whole.length];
            source.readFloats(source.tensor(name), 0, orig, 0, orig.length);
        }
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertThat(f.segment(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)).as("unpack").containsExactly(whole);
        }
        double err = 0, energy = 0;
        for (int i = 0; i < whole.length; i++) {
            err += (orig[i] - (double) whole[i]) * (orig[i] - (double) whole[i]);
            energy += orig[i] * (double) orig[i];
        }
        JsonNode row = null;
        for (JsonNode t : new ObjectMapper().readTree(eval.out()).get("tensors")) if (t.get("name").asText().equals(name)) row = t;
        assertThat(row).as("eval lists " + name).isNotNull();
        assertThat(row.get("relativeMse").asDouble()).isCloseTo(err / energy, within(1e-9 * (err / energy)));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
