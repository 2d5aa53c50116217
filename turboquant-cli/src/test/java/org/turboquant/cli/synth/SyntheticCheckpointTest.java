package org.turboquant.cli.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.TensorInfo;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.TensorSpec;

class SyntheticCheckpointTest {

    @Test
    void qwenLayoutHasThePublishedDimensionsAndAtLeastThreeQuarterBillionParameters() {
        CheckpointLayout l = CheckpointLayout.qwen35Small();
        List<TensorSpec> t = l.tensors();
        assertThat(l.parameters()).isGreaterThanOrEqualTo(750_000_000L).isLessThan(800_000_000L);
        assertThat(t.getFirst().shape()).containsExactly(248_320, 1024);
        assertThat(t).extracting(TensorSpec::name)
                .contains("model.layers.23.self_attn.q_proj.weight", "model.layers.0.linear_attn.out_proj.weight",
                        "model.layers.23.mlp.down_proj.weight", "model.norm.weight")
                .doesNotHaveDuplicates();
        assertThat(t).allMatch(s -> s.dtype() == DType.BF16);
    }

    @Test
    void sameSeedGivesSameBytesWhateverTheThreadCount(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        SyntheticCheckpoint.write(a, CheckpointLayout.tiny(), 7, 1, n -> {});
        SyntheticCheckpoint.write(b, CheckpointLayout.tiny(), 7, 3, n -> {});
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("a.safetensors", "b.safetensors");
    }

    @Test
    void fileReadsBackWithPlausibleValues(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tiny.safetensors");
        CheckpointLayout layout = CheckpointLayout.tiny();
        SyntheticCheckpoint.write(f, layout, 3, 2, n -> {});
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            assertThat(file.tensors().stream().map(TensorInfo::name).toList()).containsExactlyElementsOf(layout.tensors().stream().map(TensorSpec::name).toList());
            float[] emb = readAll(file, "model.embed_tokens.weight", 1000 * 128);
            double sum = 0, sq = 0;
            for (float v : emb) { sum += v; sq += v * v; }
            double mean = sum / emb.length, std = Math.sqrt(sq / emb.length - mean * mean);
            assertThat(mean).isBetween(-0.001, 0.001);
            assertThat(std).isBetween(0.019, 0.021);
            float[] norm = readAll(file, "model.norm.weight", 128);
            for (float v : norm) assertThat(v).isBetween(0.7f, 1.3f);
        }
    }

    private static float[] readAll(SafetensorsFile file, String name, int n) {
        float[] out = new float[n];
        FloatCodec.decode(file.segment(name), DType.BF16, 0, out, 0, n);
        return out;
    }
}
