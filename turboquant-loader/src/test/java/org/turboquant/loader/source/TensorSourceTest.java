package org.turboquant.loader.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

class TensorSourceTest {

    @TempDir
    Path dir;

    private static final float[] VALUES = {1f, -2f, 0.5f, 3.25f, -0.125f, 65504f, 6f, 7f};

    /** A small checkpoint with an embedding, a linear weight, a norm and an integer tensor, all from VALUES. */
    private Path checkpoint(Path file) throws IOException {
        List<TensorSpec> specs = List.of(
                TensorSpec.of("model.embed_tokens.weight", DType.BF16, 4, 2),
                TensorSpec.of("model.layers.0.mlp.down_proj.weight", DType.F16, 2, 4),
                TensorSpec.of("model.norm.weight", DType.F32, 8),
                TensorSpec.of("lm_head.weight", DType.F64, 2, 4),
                TensorSpec.of("positions", DType.I32, 2, 1));
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of())) {
            for (int i = 0; i < 4; i++) w.writeFloats(VALUES, 0, VALUES.length);
            w.write(new byte[8], 0, 8);
        }
        return file;
    }

    @Test
    void safetensorsFileUsagesFollowNamesAndShapes() throws IOException {
        try (TensorSource s = TensorSource.open(checkpoint(dir.resolve("m.safetensors")))) {
            assertThat(s.tensors()).extracting(SourceTensor::name).containsExactly("model.embed_tokens.weight",
                    "model.layers.0.mlp.down_proj.weight", "model.norm.weight", "lm_head.weight", "positions");
            assertThat(s.tensors()).extracting(SourceTensor::usage).containsExactly(Usage.GATHER_TABLE,
                    Usage.LINEAR_WEIGHT, Usage.OTHER, Usage.LINEAR_WEIGHT, Usage.OTHER);
            assertThat(s.tensor("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(2, 4);
        }
    }

    @Test
    void readFloatsConvertsEveryFloatDtypeAndWindow() throws IOException {
        try (TensorSource s = TensorSource.open(checkpoint(dir.resolve("m.safetensors")))) {
            for (String name : List.of("model.embed_tokens.weight", "model.layers.0.mlp.down_proj.weight",
                    "model.norm.weight", "lm_head.weight")) {
                SourceTensor t = s.tensor(name);
                float[] row = new float[6];
                s.readFloats(t, 4, row, 1, 4); // the second half: elements 4..7
                assertThat(row).as(name).containsExactly(0f, -0.125f, name.contains("embed") ? 65536f : 65504f,
                        6f, 7f, 0f);
            }
            SourceTensor ints = s.tensor("positions");
            assertThatThrownBy(() -> s.readFloats(ints, 0, new float[2], 0, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("I32 is not a float dtype");
            SourceTensor norm = s.tensor("model.norm.weight");
            assertThatThrownBy(() -> s.readFloats(norm, 6, new float[4], 0, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void rawIsAReadOnlyZeroCopySlice() throws IOException {
        try (TensorSource s = TensorSource.open(checkpoint(dir.resolve("m.safetensors")))) {
            MemorySegment raw = s.raw(s.tensor("lm_head.weight"));
            assertThat(raw.isMapped()).isTrue();
            assertThat(raw.isReadOnly()).isTrue();
            assertThat(raw.byteSize()).isEqualTo(8 * 8);
        }
    }

    @Test
    void sha256OfAFileIsWhatSha256sumPrints() throws IOException {
        Path file = checkpoint(dir.resolve("m.safetensors"));
        try (TensorSource s = TensorSource.open(file)) {
            assertThat(s.sha256()).isEqualTo(sha256(Files.readAllBytes(file)));
        }
    }

    @Test
    void checkpointDirectoryHashesIndexThenShards() throws IOException {
        Path ckpt = Files.createDirectory(dir.resolve("ckpt"));
        Path shard = checkpoint(ckpt.resolve("model-00001-of-00001.safetensors"));
        String index = "{\"weight_map\":{\"model.embed_tokens.weight\":\"model-00001-of-00001.safetensors\","
                + "\"model.layers.0.mlp.down_proj.weight\":\"model-00001-of-00001.safetensors\","
                + "\"model.norm.weight\":\"model-00001-of-00001.safetensors\","
                + "\"lm_head.weight\":\"model-00001-of-00001.safetensors\","
                + "\"positions\":\"model-00001-of-00001.safetensors\"}}";
        Path indexFile = Files.writeString(ckpt.resolve("model.safetensors.index.json"), index);
        try (TensorSource s = TensorSource.open(ckpt)) {
            assertThat(s.path()).isEqualTo(ckpt);
            assertThat(s.tensors()).hasSize(5);
            byte[] both = concat(Files.readAllBytes(indexFile), Files.readAllBytes(shard));
            assertThat(s.sha256()).isEqualTo(sha256(both));
        }
    }

    @Test
    void missingPathAndUnknownKindsAreBadInput() throws IOException {
        Path missing = dir.resolve("nothing.safetensors");
        assertThatThrownBy(() -> TensorSource.open(missing)).isInstanceOf(BadInputException.class)
                .hasMessage(missing + ": no such file or directory");
        Path text = Files.writeString(dir.resolve("weights.bin"), "x");
        assertThatThrownBy(() -> TensorSource.open(text)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown input kind");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
