package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.turboquant.runtime.BertEncoder;

/**
 * The built-in encoders, FP32, in the Java runtime against ONNX Runtime on the built-in corpus: cosine ≥ 0.99999 on
 * every text. The three the defaults were measured on read all 617 texts; the untuned ones (bge-small-v1, bge-small-zh) every 10th,
 * which is enough to show its graph maps and keeps the suite's time.
 */
class JavaRuntimeAllModelsTest {

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void fp32EmbeddingsMatchOnnxRuntimeOnEverySampledText(EmbeddingModel m) throws Exception {
        List<String> corpus = TextCorpus.builtIn(), sample = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i += m.untuned() ? 10 : 1) sample.add(corpus.get(i));
        ModelFiles files = ModelFiles.extract(m, Path.of("target", "models-" + m.cliName()));
        try (SentenceEmbedder e = new SentenceEmbedder(files.model(), files.tokenizer(), m.pooling(), m.maxLength(), m.prefix())) {
            SentenceEmbedder.Tokens tokens = e.tokenize(sample);
            float[][] ort = e.embed(tokens);
            BertEncoder java = BertEncoder.fromOnnx(files.model(), JavaEmbedder.pooling(m.pooling()));
            float[][] v = JavaEmbedder.embed(java, tokens, JavaEmbedder.BATCH);
            for (int i = 0; i < sample.size(); i++)
                assertThat(FidelityMetrics.dot(v[i], ort[i])).as("%s, text '%s'", m.cliName(), sample.get(i)).isGreaterThanOrEqualTo(0.99999);
        }
    }
}
