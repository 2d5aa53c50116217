package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The built-in model registry, and each model run end to end in ONNX Runtime on a handful of sentences. */
class EmbeddingModelTest {
    private static final List<String> TEXTS = List.of(
            "The cat slept on the warm windowsill all afternoon.",
            "All afternoon the cat dozed on the sunny window ledge.",
            "Interest rates rose again, and mortgages became more expensive.",
            "The central bank raised rates once more, making home loans costlier.",
            "Heavy rain flooded the underpass near the station.");

    @Test
    void namesResolveAndUnknownNamesListTheKnownOnes() {
        assertThat(EmbeddingModel.names()).isEqualTo("minilm, bge-small, e5-small, bge-small-v1, bge-small-zh");
        assertThat(EmbeddingModel.byName("minilm")).isEqualTo(EmbeddingModel.MINILM);
        assertThat(EmbeddingModel.byName(" BGE-Small ")).isEqualTo(EmbeddingModel.BGE_SMALL);
        assertThat(EmbeddingModel.byName("e5-small")).isEqualTo(EmbeddingModel.E5_SMALL);
        assertThatThrownBy(() -> EmbeddingModel.byName("bert")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bert").hasMessageContaining("minilm, bge-small, e5-small, bge-small-v1, bge-small-zh");
        assertThat(EmbeddingModel.ofModelFile(Path.of("/x/bge-small-en-v1.5.onnx"))).contains(EmbeddingModel.BGE_SMALL);
        assertThat(EmbeddingModel.byName("bge-small-v1")).isEqualTo(EmbeddingModel.BGE_SMALL_V1);
        assertThat(EmbeddingModel.ofModelFile(Path.of("/x/bge-small-en.onnx"))).contains(EmbeddingModel.BGE_SMALL_V1);
        assertThat(EmbeddingModel.ofModelFile(Path.of("model.onnx"))).isEmpty();
    }

    @Test
    void minilmKeepsItsSettingsAndTheOthersTheirs() {
        assertThat(EmbeddingModel.MINILM.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(EmbeddingModel.MINILM.maxLength()).isEqualTo(SentenceEmbedder.DEFAULT_MAX_LENGTH);
        assertThat(EmbeddingModel.MINILM.prefix()).isEmpty();
        assertThat(EmbeddingModel.BGE_SMALL.pooling()).isEqualTo(Pooling.CLS);
        assertThat(EmbeddingModel.BGE_SMALL.prefix()).isEmpty();
        assertThat(EmbeddingModel.E5_SMALL.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(EmbeddingModel.E5_SMALL.prefix()).isEqualTo("query: ");
        assertThat(EmbeddingModel.BGE_SMALL_V1.pooling()).isEqualTo(Pooling.CLS); // as the jar's model class pools
        assertThat(EmbeddingModel.BGE_SMALL_V1.prefix()).isEmpty();
        assertThat(java.util.Arrays.stream(EmbeddingModel.values()).filter(EmbeddingModel::untuned))
                .containsExactly(EmbeddingModel.BGE_SMALL_V1, EmbeddingModel.BGE_SMALL_ZH);
        assertThat(EmbeddingModel.BGE_SMALL_ZH.pooling()).isEqualTo(Pooling.CLS);
        assertThat(ModelFiles.defaultCache()).isEqualTo(ModelFiles.defaultCache(EmbeddingModel.MINILM));
        assertThat(ModelFiles.defaultCache(EmbeddingModel.E5_SMALL).getFileName()).hasToString("e5-small-v2");
    }

    @ParameterizedTest
    @EnumSource(EmbeddingModel.class)
    void everyModelsFilesAreOnTheClassPath(EmbeddingModel m) {
        ClassLoader cl = EmbeddingModelTest.class.getClassLoader();
        assertThat(cl.getResource(m.modelResource())).as(m.modelResource()).isNotNull();
        assertThat(cl.getResource(m.tokenizerResource())).as(m.tokenizerResource()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(value = EmbeddingModel.class, names = {"BGE_SMALL", "E5_SMALL", "BGE_SMALL_V1"})
    void fp32AgainstItselfGivesCosineOne(EmbeddingModel m) throws Exception {
        ModelFiles files = ModelFiles.extract(m, Path.of("target", m.cacheDir() + "-test"));
        assertThat(files.model().getFileName()).hasToString(m.modelResource());
        assertThat(Files.size(files.model())).isGreaterThan(100_000_000L);
        assertThat(ModelFiles.extract(m, files.model().getParent())).isEqualTo(files); // already there: kept
        try (SentenceEmbedder e = new SentenceEmbedder(files.model(), files.tokenizer(), m.pooling(), m.maxLength(),
                m.prefix())) {
            SentenceEmbedder.Tokens tokens = e.tokenize(TEXTS);
            float[][] original = e.embed(tokens), again = e.embed(tokens, WeightOverrides.none());
            assertThat(original).hasNumberOfRows(TEXTS.size());
            assertThat(original[0]).hasSize(384);
            assertThat(FidelityMetrics.dot(original[0], original[0])).isCloseTo(1.0, within(1e-5));
            FidelityMetrics same = FidelityMetrics.of(original, again);
            assertThat(same.meanCosine()).isCloseTo(1.0, within(1e-6));
            assertThat(same.minCosine()).isGreaterThan(0.999999);
            assertThat(same.recallAt10()).isEqualTo(1.0);
            // The model reads the texts, not noise: paraphrases sit closer than unrelated pairs.
            assertThat(FidelityMetrics.dot(original[0], original[1])).isGreaterThan(FidelityMetrics.dot(original[0], original[2]));
            assertThat(FidelityMetrics.dot(original[2], original[3])).isGreaterThan(FidelityMetrics.dot(original[2], original[4]));
        }
    }

    @Test
    void thePrefixIsTokenizedWithEveryText() throws Exception {
        ModelFiles files = ModelFiles.extract(EmbeddingModel.E5_SMALL,
                Path.of("target", EmbeddingModel.E5_SMALL.cacheDir() + "-test"));
        try (SentenceEmbedder plain = new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.MEAN, 512);
             SentenceEmbedder query = new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.MEAN, 512,
                     "query: ")) {
            long[] p = plain.tokenize(TEXTS.subList(0, 1)).ids()[0], q = query.tokenize(TEXTS.subList(0, 1)).ids()[0];
            // [CLS] query : the cat ... [SEP] against [CLS] the cat ... [SEP]
            assertThat(q).hasSize(p.length + 2);
            assertThat(q[0]).isEqualTo(p[0]);
            assertThat(java.util.Arrays.copyOfRange(q, 3, q.length)).containsExactly(java.util.Arrays.copyOfRange(p, 1, p.length));
        }
    }
}
