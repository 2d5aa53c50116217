package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.onnx.OnnxInitializer;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/** all-MiniLM-L6-v2 (FP32) in the runtime: batching, padding, and the same model read from a Hugging Face checkpoint. */
class BertEncoderTest {
    private static BertEncoder encoder;
    private static int[][] texts;

    @BeforeAll
    static void load() throws Exception {
        encoder = BertEncoder.fromOnnx(TestModels.onnx(TestModels.MINILM), Pooling.MEAN);
        texts = TestModels.randomTexts(7, 5, 1, 17, 9, 30, 2);
    }

    @Test
    void aBatchOfDifferentLengthsEqualsEachTextAlone() {
        float[][] batch = encoder.embed(texts, null);
        for (int i = 0; i < texts.length; i++) {
            float[] alone = encoder.embed(new int[][] {texts[i]}, null)[0];
            assertClose(batch[i], alone, "text " + i);
            assertThat(norm(alone)).isCloseTo(1, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void paddingAtTheEndChangesNothing() {
        int max = 0;
        for (int[] t : texts) max = Math.max(max, t.length);
        int[][] ids = new int[texts.length][max], mask = new int[texts.length][max];
        for (int i = 0; i < texts.length; i++) {
            System.arraycopy(texts[i], 0, ids[i], 0, texts[i].length);
            for (int p = 0; p < texts[i].length; p++) mask[i][p] = 1;
        }
        float[][] padded = encoder.embed(ids, mask), plain = encoder.embed(texts, null);
        for (int i = 0; i < texts.length; i++) assertClose(padded[i], plain[i], "text " + i);
    }

    @Test
    void badBatchesFailClearly() {
        assertThatThrownBy(() -> encoder.embed(new int[][] {{101, 40000, 102}}, null))
                .hasMessageContaining("token id 40000 outside the vocabulary of 30522");
        assertThatThrownBy(() -> encoder.embed(new int[][] {new int[513]}, null)).hasMessageContaining("at most 512");
        assertThatThrownBy(() -> encoder.embed(new int[][] {{1, 2}}, new int[][] {{0, 0}})).hasMessageContaining("no unmasked token");
    }

    /** The MiniLM ONNX initializers renamed to BertModel's names, dense weights transposed to [out, in]. */
    static Path writeCheckpoint(Path dir, Path onnx) throws Exception {
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (OnnxModel model = OnnxModel.open(onnx)) {
            BertLayout l = OnnxBertGraph.map(model);
            BertLayout.Embeddings e = l.embeddings();
            put(model, e.word(), "embeddings.word_embeddings.weight", false, data, shapes);
            put(model, e.position(), "embeddings.position_embeddings.weight", false, data, shapes);
            put(model, e.tokenType(), "embeddings.token_type_embeddings.weight", false, data, shapes);
            norm(model, e.norm(), "embeddings.LayerNorm", data, shapes);
            for (int i = 0; i < l.layers().size(); i++) {
                BertLayout.Layer b = l.layers().get(i);
                String p = "encoder.layer." + i + ".";
                linear(model, b.query(), p + "attention.self.query", data, shapes);
                linear(model, b.key(), p + "attention.self.key", data, shapes);
                linear(model, b.value(), p + "attention.self.value", data, shapes);
                linear(model, b.attentionOutput(), p + "attention.output.dense", data, shapes);
                norm(model, b.attentionNorm(), p + "attention.output.LayerNorm", data, shapes);
                linear(model, b.intermediate(), p + "intermediate.dense", data, shapes);
                linear(model, b.output(), p + "output.dense", data, shapes);
                norm(model, b.outputNorm(), p + "output.LayerNorm", data, shapes);
            }
        }
        List<TensorSpec> specs = new ArrayList<>();
        shapes.forEach((n, s) -> specs.add(TensorSpec.of(n, DType.F32, s)));
        try (SafetensorsWriter w = SafetensorsWriter.create(dir.resolve("model.safetensors"), specs, Map.of())) {
            for (float[] v : data.values()) w.writeFloats(v, 0, v.length);
        }
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["BertModel"], "hidden_size": 384, "num_attention_heads": 12, "num_hidden_layers": 6,
                 "intermediate_size": 1536, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "max_position_embeddings": 512}
                """);
        return dir;
    }

    @Test
    void aHuggingFaceCheckpointGivesTheSameVectorsAsTheOnnxModel(@TempDir Path dir) throws Exception {
        writeCheckpoint(dir, TestModels.onnx(TestModels.MINILM));
        BertEncoder hf = HfBertCheckpoint.encoder(dir, Pooling.MEAN);
        float[][] a = hf.embed(texts, null), b = encoder.embed(texts, null);
        for (int i = 0; i < texts.length; i++) assertClose(a[i], b[i], "text " + i);
    }

    @Test
    void aCheckpointWithATanhActivationIsRefused(@TempDir Path dir) throws Exception {
        writeCheckpoint(dir, TestModels.onnx(TestModels.MINILM));
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"gelu\"", "\"gelu_new\""));
        assertThatThrownBy(() -> HfBertCheckpoint.encoder(dir, Pooling.MEAN)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("hidden_act 'gelu_new' is not the erf GELU");
    }

    @Test
    void aCheckpointMissingATensorNamesIt(@TempDir Path dir) throws Exception {
        writeCheckpoint(dir, TestModels.onnx(TestModels.MINILM));
        List<String> names = List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight");
        assertThatThrownBy(() -> HfBertCheckpoint.layout(dir, names)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("embeddings.LayerNorm.weight");
    }

    private static void linear(OnnxModel m, BertLayout.Linear l, String module, Map<String, float[]> data, Map<String, long[]> shapes) {
        put(m, l.weight(), module + ".weight", true, data, shapes);
        put(m, l.bias(), module + ".bias", false, data, shapes);
    }

    private static void norm(OnnxModel m, BertLayout.Norm n, String module, Map<String, float[]> data, Map<String, long[]> shapes) {
        put(m, n.gamma(), module + ".weight", false, data, shapes);
        put(m, n.beta(), module + ".bias", false, data, shapes);
    }

    private static void put(OnnxModel m, String from, String to, boolean transpose, Map<String, float[]> data, Map<String, long[]> shapes) {
        OnnxInitializer t = m.initializer(from);
        float[] v = new float[Math.toIntExact(t.numel())];
        FloatCodec.decode(t.data(), t.dtype(), 0, v, 0, v.length);
        long[] d = t.dims();
        if (transpose) {
            int in = (int) d[0], out = (int) d[1];
            float[] tr = new float[v.length];
            for (int i = 0; i < in; i++) for (int o = 0; o < out; o++) tr[o * in + i] = v[i * out + o];
            v = tr;
            d = new long[] {out, in};
        }
        data.put(to, v);
        shapes.put(to, d);
    }

    /**
     * Equal up to float rounding: a vector reduction's lane order may differ between interpreted and JIT-compiled
     * code, so the same sums can differ in the last bit from one call to the next.
     */
    private static void assertClose(float[] a, float[] b, String what) {
        assertThat(a).as(what).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++)
            assertThat(a[i]).as("%s, element %d", what, i).isCloseTo(b[i], org.assertj.core.api.Assertions.within(2e-6f));
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        return Math.sqrt(s);
    }
}
