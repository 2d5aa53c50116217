package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.cli.fidelity.EmbeddingModel;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.ProgressListener;

/** --model for tq fidelity and tq compare: built-in names, ONNX paths, and the defaults each brings. */
class ModelChoiceTest {
    private static final Path BGE_CACHE = Path.of("target", "bge-small-en-v1.5-test");

    @Test
    void aNameExtractsTheBuiltInModelWithItsDefaults() throws Exception {
        ModelChoice c = ModelChoice.resolve("bge-small", null, null, BGE_CACHE);
        assertThat(c.builtIn()).isTrue();
        assertThat(c.defaults()).isEqualTo(EmbeddingModel.BGE_SMALL);
        assertThat(c.files().model()).isEqualTo(BGE_CACHE.resolve("bge-small-en-v1.5.onnx"));
        assertThat(c.files().tokenizer()).isEqualTo(BGE_CACHE.resolve("bge-small-en-v1.5-tokenizer.json"));
        try (SentenceEmbedder e = c.embedder(null, null, null)) {
            assertThat(e.pooling()).isEqualTo(Pooling.CLS);
            assertThat(e.maxLength()).isEqualTo(512);
            assertThat(e.prefix()).isEmpty();
        }
        try (SentenceEmbedder e = c.embedder("mean", 64, "query: ")) {
            assertThat(e.pooling()).isEqualTo(Pooling.MEAN);
            assertThat(e.maxLength()).isEqualTo(64);
            assertThat(e.prefix()).isEqualTo("query: ");
        }
        assertThat(c.describe()).isEqualTo("bge-small-en-v1.5 (built-in bge-small)");
    }

    @Test
    void anOnnxPathTakesTheDefaultsOfTheModelItIsNamedAfterElseMinilms(@TempDir Path tmp) throws Exception {
        ModelFiles bge = ModelFiles.extract(EmbeddingModel.BGE_SMALL, BGE_CACHE);
        ModelChoice byFile = ModelChoice.resolve(null, bge.model(), null, null);
        assertThat(byFile.builtIn()).isFalse();
        assertThat(byFile.defaults()).isEqualTo(EmbeddingModel.BGE_SMALL);
        assertThat(byFile.files().tokenizer().toAbsolutePath()).isEqualTo(bge.tokenizer().toAbsolutePath());
        assertThat(ModelChoice.resolve("e5-small", bge.model(), null, null).defaults()).isEqualTo(EmbeddingModel.E5_SMALL);

        Path other = Files.createFile(tmp.resolve("encoder.onnx"));
        Files.createFile(tmp.resolve("tokenizer.json"));
        ModelChoice plain = ModelChoice.resolveNameOrPath(other.toString(), null, null);
        assertThat(plain.defaults()).isEqualTo(EmbeddingModel.MINILM);
        assertThat(plain.files().tokenizer()).isEqualTo(tmp.resolve("tokenizer.json"));
        assertThat(plain.describe()).isEqualTo("encoder.onnx (minilm defaults)");
    }

    @Test
    void compareRejectsAModelThatIsNeitherANameNorAFile() {
        assertThatThrownBy(() -> ModelChoice.resolveNameOrPath("bge-smal", null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bge-smal")
                .hasMessageContaining("minilm, bge-small, e5-small, bge-small-v1, bge-small-zh");
        assertThatThrownBy(() -> ModelChoice.resolve("bert", null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown model 'bert'");
    }

    @Test
    void fidelityWithABuiltInModelNeedsOnlyThePack(@TempDir Path tmp) throws Exception {
        ModelFiles bge = ModelFiles.extract(EmbeddingModel.BGE_SMALL, BGE_CACHE);
        Path pack = tmp.resolve("bge-tq8");
        Packer.pack(bge.model(), pack, PackOptions.defaults().withBits(8), false, ProgressListener.NONE);
        Path texts = Files.write(tmp.resolve("texts.txt"), List.of(
                "The cat slept on the warm windowsill all afternoon.",
                "Interest rates rose again, and mortgages became more expensive.",
                "Heavy rain flooded the underpass near the station."), StandardCharsets.UTF_8);

        CliRun text = CliRun.of("fidelity", "--model", "bge-small", "--cache", BGE_CACHE.toString(), pack.toString(),
                "--texts", texts.toString());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("3 texts, bge-small-en-v1.5 (built-in bge-small), cls pooling, max 512 tokens");

        // The same model given by path: its file name brings bge-small's pooling, so the figures agree.
        CliRun json = CliRun.of("fidelity", bge.model().toString(), pack.toString(), "--texts", texts.toString(),
                "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        var node = new ObjectMapper().readTree(json.out().strip());
        assertThat(node.get("mean_cosine").asDouble()).isBetween(0.999, 1.0 + 1e-6);
        assertThat(node.get("bits_per_weight").asDouble()).isBetween(8.0, 8.5);
        double printed = Double.parseDouble(text.out().lines().filter(l -> l.startsWith("mean cosine"))
                .findFirst().orElseThrow().substring("mean cosine".length()).strip());
        assertThat(node.get("mean_cosine").asDouble()).isCloseTo(printed, org.assertj.core.data.Offset.offset(1e-5));
    }
}
