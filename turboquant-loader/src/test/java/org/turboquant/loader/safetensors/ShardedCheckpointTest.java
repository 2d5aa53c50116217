package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;

class ShardedCheckpointTest {

    @TempDir
    Path dir;

    @BeforeEach
    void twoShards() throws IOException {
        SafetensorsBytes.writeCounting(dir.resolve("model-00002-of-00002.safetensors"),
                List.of(TensorSpec.of("lm_head.weight", DType.BF16, 4, 2)), Map.of());
        SafetensorsBytes.writeCounting(dir.resolve("model-00001-of-00002.safetensors"),
                List.of(TensorSpec.of("embed.weight", DType.F32, 4, 2), TensorSpec.of("norm.weight", DType.F32, 2)),
                Map.of("format", "pt"));
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(dir.resolve(ShardedCheckpoint.INDEX_FILE),
                "{\"metadata\":{\"total_size\":52},\"weight_map\":{" + weightMap + "}}");
    }

    private static final String GOOD_MAP = "\"lm_head.weight\":\"model-00002-of-00002.safetensors\","
            + "\"embed.weight\":\"model-00001-of-00002.safetensors\","
            + "\"norm.weight\":\"model-00001-of-00002.safetensors\"";

    @Test
    void opensShardsInFileNameOrderAndFindsEachTensor() throws IOException {
        index(GOOD_MAP);
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            assertThat(c.shards()).extracting(s -> s.path().getFileName().toString())
                    .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
            assertThat(c.tensors()).extracting(TensorInfo::name)
                    .containsExactly("embed.weight", "norm.weight", "lm_head.weight");
            assertThat(c.shardOf("lm_head.weight").path().getFileName().toString()).startsWith("model-00002");
            assertThat(c.segment("lm_head.weight").toArray(ValueLayout.JAVA_BYTE)).startsWith(0, 1, 2, 3);
        }
    }

    @Test
    void aDirectoryWithASingleModelFile() throws IOException {
        Path single = Files.createDirectory(dir.resolve("single"));
        SafetensorsBytes.writeCounting(single.resolve("model.safetensors"), List.of(TensorSpec.of("x", DType.F16, 3)),
                Map.of());
        try (ShardedCheckpoint c = ShardedCheckpoint.open(single)) {
            assertThat(c.tensors()).extracting(TensorInfo::name).containsExactly("x");
        }
    }

    @Test
    void aDirectoryWithNeitherIndexNorModelFile() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> ShardedCheckpoint.open(empty)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("neither model.safetensors.index.json nor model.safetensors");
    }

    @Test
    void indexNamingATensorItsShardLacks() throws IOException {
        index(GOOD_MAP + ",\"ghost\":\"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("tensor 'ghost': mapped to model-00002-of-00002.safetensors, which does not hold it");
    }

    @Test
    void shardHoldingATensorTheIndexDoesNotMapToIt() throws IOException {
        index("\"lm_head.weight\":\"model-00002-of-00002.safetensors\","
                + "\"embed.weight\":\"model-00001-of-00002.safetensors\"");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("tensor 'norm.weight': not mapped to this shard");
    }

    @Test
    void missingShardFile() throws IOException {
        index("\"a\":\"model-00009-of-00009.safetensors\"");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("shard file 'model-00009-of-00009.safetensors' does not exist");
    }

    @Test
    void shardPathsMayNotLeaveTheDirectory() throws IOException {
        index("\"a\":\"../outside.safetensors\"");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("is not a file in the directory");
    }

    @Test
    void malformedIndex() throws IOException {
        Files.writeString(dir.resolve(ShardedCheckpoint.INDEX_FILE), "{\"weight_map\": [");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("invalid JSON");
        Files.writeString(dir.resolve(ShardedCheckpoint.INDEX_FILE), "{\"metadata\": {}}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("no weight_map object");
    }

    @Test
    void aCorruptShardIsReportedWithItsOwnName() throws IOException {
        index(GOOD_MAP);
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        Files.write(shard, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(shard + ": file too short");
    }
}
