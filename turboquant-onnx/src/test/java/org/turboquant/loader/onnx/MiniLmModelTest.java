package org.turboquant.loader.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import org.turboquant.loader.source.Usage;

/** The real all-MiniLM-L6-v2 export (from the langchain4j artifact on the test class path) reads as expected. */
class MiniLmModelTest {

    private static final String RESOURCE = "/all-minilm-l6-v2.onnx";

    @TempDir
    Path dir;

    private Path model() throws IOException {
        try (InputStream in = MiniLmModelTest.class.getResourceAsStream(RESOURCE)) {
            assumeThat(in).as("model artifact on the test class path").isNotNull();
            Path file = dir.resolve("all-minilm-l6-v2.onnx");
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void sixLayersOfMatMulWeightsThePoolerGemmAndThreeEmbeddingTables() throws IOException {
        try (OnnxModel m = OnnxModel.open(model())) {
            Map<Usage, Integer> counts = new TreeMap<>();
            m.initializers().forEach(i -> counts.merge(i.usage(), 1, Integer::sum));
            // per layer: Q, K, V, attention output, FFN up, FFN down, each a MatMul B stored [in, out]
            assertThat(counts).containsEntry(Usage.MATMUL_WEIGHT, 36)
                    .containsEntry(Usage.LINEAR_WEIGHT, 1)
                    .containsEntry(Usage.GATHER_TABLE, 3);
            assertThat(m.initializers()).hasSize(104);
            OnnxInitializer words = m.initializer("embeddings.word_embeddings.weight");
            assertThat(words.dtype()).isEqualTo(DType.F32);
            assertThat(words.dims()).containsExactly(30522, 384);
            assertThat(words.usage()).isEqualTo(Usage.GATHER_TABLE);
            assertThat(words.data().isMapped()).isTrue();
            assertThat(m.initializer("pooler.dense.weight").usage()).as("Gemm with transB=1")
                    .isEqualTo(Usage.LINEAR_WEIGHT);
            m.initializers().stream().filter(i -> i.usage() == Usage.MATMUL_WEIGHT).forEach(i ->
                    assertThat(i.dims()).isIn(new long[] {384, 384}, new long[] {384, 1536}, new long[] {1536, 384}));
        }
    }

    @Test
    void embeddingRowsStreamThroughTheTensorSource() throws IOException {
        try (TensorSource s = TensorSource.open(model())) {
            SourceTensor words = s.tensor("embeddings.word_embeddings.weight");
            float[] row = new float[384];
            s.readFloats(words, 101L * 384, row, 0, 384); // [CLS]
            double norm = 0;
            for (float v : row) {
                assertThat(Float.isFinite(v)).isTrue();
                norm += v * v;
            }
            assertThat(norm).isGreaterThan(0);
            assertThat(s.sha256()).isEqualTo("ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4");
        }
    }
}
