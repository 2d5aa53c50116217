package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.turboquant.runtime.BertEncoder;

/** all-MiniLM-L6-v2 in the Java runtime against ONNX Runtime, FP32 weights, on a handful of sentences. */
class JavaRuntimeEndToEndTest {
    private static final List<String> TEXTS = List.of(
            "The cat slept on the warm windowsill all afternoon.",
            "Interest rates rose again, and mortgages became more expensive.",
            "Hi",
            "The compiler rejected the program because of a missing semicolon, so the build failed twice.",
            "Glaciers retreat faster when summers are long and dry.");

    @Test
    void fp32EmbeddingsMatchOnnxRuntime() throws Exception {
        ModelFiles files = ModelFiles.extractMiniLm(Path.of("target", "minilm-test"));
        try (SentenceEmbedder e = new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.MEAN, 64)) {
            SentenceEmbedder.Tokens tokens = e.tokenize(TEXTS);
            float[][] ort = e.embed(tokens);
            BertEncoder java = BertEncoder.fromOnnx(files.model(), org.turboquant.runtime.Pooling.MEAN);
            for (int batch : new int[] {1, 3, 5}) {
                float[][] v = JavaEmbedder.embed(java, tokens, batch);
                for (int i = 0; i < TEXTS.size(); i++)
                    assertThat(FidelityMetrics.dot(v[i], ort[i])).as("text %d, batch %d", i, batch).isGreaterThan(0.99999);
            }
        }
    }
}
