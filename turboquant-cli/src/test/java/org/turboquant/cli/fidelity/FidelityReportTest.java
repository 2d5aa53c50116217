package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FidelityReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonIsOneObjectWithExactlyTheDocumentedKeys() throws Exception {
        var report = new FidelityReport(new FidelityMetrics(0.9991, 0.97, 0.85), 4.125, 12_345_678L, 90_984_153L);
        JsonNode node = JSON.readTree(report.toJson());
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("mean_cosine", "min_cosine", "recall_at_10", "bits_per_weight", "pack_bytes",
                "model_bytes", "engine", "texts_per_second");
        assertThat(node.get("engine").asText()).isEqualTo("ort");
        assertThat(node.get("texts_per_second").get("original").isNull()).isTrue();
        assertThat(node.get("mean_cosine").asDouble()).isEqualTo(0.9991);
        assertThat(node.get("min_cosine").asDouble()).isEqualTo(0.97);
        assertThat(node.get("recall_at_10").asDouble()).isEqualTo(0.85);
        assertThat(node.get("bits_per_weight").asDouble()).isEqualTo(4.125);
        assertThat(node.get("pack_bytes").asLong()).isEqualTo(12_345_678L);
        assertThat(node.get("model_bytes").asLong()).isEqualTo(90_984_153L);
    }

    @Test
    void theJavaEngineAndItsSpeedsAreReported() throws Exception {
        var report = new FidelityReport(new FidelityMetrics(0.99, 0.9, 0.8), 4, 1, 2, "java", 120.5, 310.25);
        JsonNode node = JSON.readTree(report.toJson());
        assertThat(node.get("engine").asText()).isEqualTo("java");
        assertThat(node.get("texts_per_second").get("original").asDouble()).isEqualTo(120.5);
        assertThat(node.get("texts_per_second").get("packed").asDouble()).isEqualTo(310.25);
    }

    @Test
    void undefinedFiguresBecomeNullNotInvalidJson() throws Exception {
        var report = new FidelityReport(new FidelityMetrics(Double.NaN, 0.5, 1), 4, 1, 2);
        JsonNode node = JSON.readTree(report.toJson());
        assertThat(node.get("mean_cosine").isNull()).isTrue();
    }
}
