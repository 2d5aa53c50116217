package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.cli.Main;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import org.turboquant.loader.source.Usage;

/** all-MiniLM-L6-v2 from the Maven artifact, run in ONNX Runtime on a dozen sentences. */
class MiniLmEndToEndTest {
    private static final List<String> TEXTS = List.of(
            "The cat slept on the warm windowsill all afternoon.",
            "All afternoon the cat dozed on the sunny window ledge.",
            "Interest rates rose again, and mortgages became more expensive.",
            "The central bank raised rates once more, making home loans costlier.",
            "She tuned the violin before the concert began.",
            "Heavy rain flooded the underpass near the station.",
            "The compiler rejected the program because of a missing semicolon.",
            "He planted tomatoes and basil in the raised bed.",
            "The museum opens at nine on weekdays.",
            "Glaciers retreat faster when summers are long and dry.",
            "Please restart the router if the connection drops.",
            "The team celebrated the late goal with their fans.");

    private static ModelFiles files;

    @BeforeAll
    static void extractModel() throws Exception {
        files = ModelFiles.extractMiniLm(Path.of("target", "minilm-test"));
    }

    private static SentenceEmbedder embedder() throws Exception {
        return new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.MEAN, 64);
    }

    @Test
    void originalEmbeddingsPlaceParaphrasesTogether() throws Exception {
        try (SentenceEmbedder e = embedder()) {
            float[][] v = e.embed(e.tokenize(TEXTS));
            assertThat(v).hasNumberOfRows(12);
            assertThat(v[0]).hasSize(384);
            assertThat(FidelityMetrics.dot(v[0], v[0])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            double paraphrase = FidelityMetrics.dot(v[0], v[1]), unrelated = FidelityMetrics.dot(v[0], v[2]);
            assertThat(paraphrase).isGreaterThan(0.6).isGreaterThan(unrelated + 0.4);
            assertThat(FidelityMetrics.dot(v[2], v[3])).isGreaterThan(FidelityMetrics.dot(v[2], v[4]) + 0.4);
        }
    }

    @Test
    void overridingAnInitializerChangesTheOutput() throws Exception {
        SourceTensor query;
        try (TensorSource source = TensorSource.open(files.model())) {
            query = source.tensors().stream().filter(t -> t.usage() == Usage.MATMUL_WEIGHT).findFirst().orElseThrow();
        }
        try (SentenceEmbedder e = embedder()) {
            SentenceEmbedder.Tokens tokens = e.tokenize(TEXTS);
            float[][] original = e.embed(tokens);
            float[][] zeroed = e.embed(tokens,
                    new WeightOverrides().put(query.name(), query.shape(), new float[(int) query.numel()]));
            FidelityMetrics m = FidelityMetrics.of(original, zeroed);
            assertThat(m.meanCosine()).isLessThan(0.99);
            assertThat(FidelityMetrics.of(original, e.embed(tokens)).minCosine()).isGreaterThan(0.999999);
        }
    }

    @Test
    void fidelityCommandOnAnEightBitPackPrintsOneJsonObject(@TempDir Path tmp) throws Exception {
        Path pack = tmp.resolve("tq8");
        Packer.pack(files.model(), pack, PackOptions.defaults().withBits(8), false, ProgressListener.NONE);
        Path texts = Files.write(tmp.resolve("texts.txt"), TEXTS, StandardCharsets.UTF_8);

        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.run("fidelity", files.model().toString(), pack.toString(), "--texts", texts.toString(),
                    "--json");
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        String out = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(out.lines()).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("mean_cosine").asDouble()).isBetween(0.999, 1.0 + 1e-6);
        assertThat(json.get("min_cosine").asDouble()).isGreaterThan(0.998);
        assertThat(json.get("recall_at_10").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(json.get("bits_per_weight").asDouble()).isBetween(8.0, 8.5);
        assertThat(json.get("pack_bytes").asLong()).isLessThan(json.get("model_bytes").asLong() / 3);
        assertThat(json.get("model_bytes").asLong()).isEqualTo(Files.size(files.model()));
    }
}
