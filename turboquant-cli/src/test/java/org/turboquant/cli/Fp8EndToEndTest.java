package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.Fp8;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * An FP8 checkpoint (an E4M3 weight with 128-block {@code weight_scale_inv}, an unscaled E5M2 weight, an F32 norm)
 * through pack, eval and unpack, quantized and kept.
 */
class Fp8EndToEndTest {
    private static final String Q = "layers.0.q_proj.weight", K = "layers.0.k_proj.weight", NORM = "layers.0.norm.weight";
    private static final float[] SCALES = {0.01f, 0.02f, 0.005f, 0.04f}; // [2, 2] blocks of 128 × 128

    @TempDir Path dir;
    Path model;
    byte[] q = new byte[256 * 256], k = new byte[64 * 256];

    @BeforeEach
    void writeFp8Checkpoint() throws IOException {
        Random rnd = new Random(8);
        for (int i = 0; i < q.length; i++) q[i] = (byte) ((rnd.nextInt(0x70)) | (rnd.nextBoolean() ? 0x80 : 0)); // finite, |x| < 256
        for (int i = 0; i < k.length; i++) k[i] = (byte) ((0x20 + rnd.nextInt(0x20)) | (rnd.nextBoolean() ? 0x80 : 0));
        float[] norm = new float[256];
        java.util.Arrays.fill(norm, 1f);
        model = dir.resolve("fp8.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(TensorSpec.of(Q, DType.F8_E4M3, 256, 256),
                TensorSpec.of(Q + "_scale_inv", DType.F32, 2, 2), TensorSpec.of(K, DType.F8_E5M2, 64, 256),
                TensorSpec.of(NORM, DType.F32, 256)), Map.of("format", "pt"))) {
            w.write(q, 0, q.length);
            w.writeFloats(SCALES, 0, SCALES.length);
            w.write(k, 0, k.length);
            w.writeFloats(norm, 0, norm.length);
        }
    }

    private float realQ(int i) {
        int r = i / 256, c = i % 256;
        return Fp8.e4m3ToFloat(q[i]) * SCALES[(r / 128) * 2 + c / 128];
    }

    @Test
    void quantizedFp8WeightsCarryTheirScalesThroughPackEvalAndUnpack() throws IOException {
        Path pack = dir.resolve("p");
        CliRun packed = CliRun.of("pack", model.toString(), "-o", pack.toString(), "--quiet");
        assertThat(packed.exitCode()).as(packed.err()).isZero();

        Map<String, JsonNode> entries = new HashMap<>();
        for (JsonNode t : new ObjectMapper().readTree(CliRun.of("inspect", pack.toString(), "--json").out()).get("tensors"))
            entries.put(t.get("name").asText(), t);
        assertThat(entries.get(Q).get("method").asText()).isEqualTo("turboquant");
        assertThat(entries.get(Q).get("dtype").asText()).isEqualTo("F8_E4M3");
        assertThat(entries.get(K).get("method").asText()).isEqualTo("turboquant");
        assertThat(entries.get(Q + "_scale_inv").get("method").asText()).isEqualTo("kept");

        float[] decoded;
        try (TqPack p = TqPack.open(pack)) {
            decoded = p.tensor(Q).dequantize();
        }
        double err = 0, energy = 0, errUnscaled = 0;
        for (int i = 0; i < q.length; i++) {
            float real = realQ(i);
            err += (real - decoded[i]) * (double) (real - decoded[i]);
            energy += real * (double) real;
            float unscaled = Fp8.e4m3ToFloat(q[i]);
            errUnscaled += (unscaled - decoded[i]) * (double) (unscaled - decoded[i]);
        }
        assertThat(err / energy).as("4-bit error against fp8 × scale").isLessThan(0.03);
        assertThat(errUnscaled / energy).as("the scales were applied").isGreaterThan(100);

        CliRun eval = CliRun.of("eval", model.toString(), pack.toString(), "--json", "--quiet");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        for (JsonNode t : new ObjectMapper().readTree(eval.out()).get("tensors"))
            assertThat(t.get("relativeMse").asDouble()).as(t.get("name").asText()).isLessThan(0.03);

        Path out = dir.resolve("u.safetensors");
        assertThat(CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet").exitCode()).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertThat(f.contains(Q + "_scale_inv")).as("already applied: left out").isFalse();
            assertThat(f.info(Q).dtype()).isEqualTo(DType.F32);
            assertThat(f.info(K).dtype()).isEqualTo(DType.F32);
            assertThat(f.segment(Q).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)).containsExactly(decoded);
            assertThat(f.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void keptFp8WeightsAndTheirScalesComeBackByteForByte() throws IOException {
        Path pack = dir.resolve("k");
        CliRun packed = CliRun.of("pack", model.toString(), "-o", pack.toString(), "--keep", "q_proj", "--quiet");
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        try (TqPack p = TqPack.open(pack, true)) {
            assertThat(p.tensor(Q).quantized()).isFalse();
            assertThat(p.rawKept(Q).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q);
            assertThat(p.tensor(K).quantized()).isTrue();
        }
        Path out = dir.resolve("uk.safetensors");
        assertThat(CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet").exitCode()).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertThat(f.info(Q).dtype()).isEqualTo(DType.F8_E4M3);
            assertThat(f.segment(Q).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q);
            assertThat(f.segment(Q + "_scale_inv").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)).containsExactly(SCALES);
        }
    }
}
