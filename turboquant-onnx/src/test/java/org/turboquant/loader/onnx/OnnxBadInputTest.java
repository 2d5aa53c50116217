package org.turboquant.loader.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.turboquant.loader.onnx.OnnxBytes.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;

class OnnxBadInputTest {

    @TempDir
    Path dir;

    private BadInputException openFails(byte[] content) throws IOException {
        Path file = Files.write(dir.resolve("bad.onnx"), content);
        try {
            OnnxModel.open(file).close();
        } catch (BadInputException e) {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("opened a bad model");
    }

    @Test
    void emptyFile() throws IOException {
        assertThat(openFails(new byte[0])).hasMessageContaining("empty file");
    }

    @Test
    void textIsNotAModel() throws IOException {
        assertThat(openFails("hello, I am not protobuf\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageMatching(".*(malformed ONNX protobuf|no graph|wire type|runs past the end).*");
    }

    @Test
    void truncatedModelsFailCleanlyAtEveryCut() throws IOException {
        byte[] whole = TinyModels.model();
        for (int cut = 1; cut < whole.length; cut += 7) {
            BadInputException e = openFails(Arrays.copyOf(whole, cut));
            assertThat(e.getMessage()).as("cut at %d", cut).isNotBlank();
        }
    }

    @Test
    void modelWithoutAGraph() throws IOException {
        assertThat(openFails(message(out -> out.writeInt64(1, 8)))).hasMessageContaining("no graph in the model");
    }

    /** An initializer whose data live in an external file, described by key/value entries. */
    static byte[] externalTensor(String name, long[] dims, String... keyValues) {
        return tensor(name, FLOAT, dims, out -> {
            for (int i = 0; i < keyValues.length; i += 2) {
                String key = keyValues[i];
                String value = keyValues[i + 1];
                out.writeByteArray(13, message(o -> {
                    o.writeString(1, key);
                    o.writeString(2, value);
                }));
            }
            out.writeInt32(14, 1); // data_location = EXTERNAL
        });
    }

    @Test
    void externalDataOutsideTheModelDirectoryOrMissing() throws IOException {
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "../escape.bin"))))
                .hasMessageContaining("tensor 'e': external data location '../escape.bin' is outside the model's directory");
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "/etc/hostname"))))
                .hasMessageContaining("is outside the model's directory");
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "weights.bin"))))
                .hasMessageContaining("tensor 'e': external data file 'weights.bin' does not exist");
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2)))))
                .hasMessageContaining("tensor 'e': external data without a location");
    }

    @Test
    void externalDataOfTheWrongLengthOrPastTheEnd() throws IOException {
        Files.write(dir.resolve("weights.bin"), new byte[16]);
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "weights.bin",
                "length", "12")))).hasMessageContaining("external data length 12 but dims need 8 bytes");
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "weights.bin",
                "offset", "12")))).hasMessageContaining("external data [12, +8) runs past the end of weights.bin (16 bytes)");
        assertThat(openFails(TinyModels.modelWith(externalTensor("e", dims(2), "location", "weights.bin",
                "offset", "-4")))).hasMessageContaining("external data offset '-4' is not a non-negative integer");
    }

    @Test
    void rawDataOfTheWrongLength() throws IOException {
        BadInputException e = openFails(TinyModels.modelWith(rawTensor("w", FLOAT, dims(2, 2), rawFloats(1, 2, 3))));
        assertThat(e).hasMessageContaining("tensor 'w': raw_data holds 12 bytes but dims [2, 2] of F32 need 16");
    }

    @Test
    void typedDataOfTheWrongCountOrField() throws IOException {
        assertThat(openFails(TinyModels.modelWith(tensor("f", FLOAT, dims(3), packedFloats(1, 2)))))
                .hasMessageContaining("tensor 'f': holds 2 values but dims need 3");
        assertThat(openFails(TinyModels.modelWith(tensor("n", FLOAT, dims(3), out -> { }))))
                .hasMessageContaining("tensor 'n': no data but dims need 3");
        assertThat(openFails(TinyModels.modelWith(tensor("i", INT64, dims(2), packedFloats(1, 2)))))
                .hasMessageContaining("data in field 4 does not fit data_type I64");
    }

    @Test
    void unsupportedDataType() throws IOException {
        byte[] strings = tensor("names", STRING, dims(1), out -> out.writeByteArray(6, new byte[] {'a'}));
        assertThat(openFails(TinyModels.modelWith(strings)))
                .hasMessageContaining("tensor 'names': unsupported data_type STRING");
    }

    @Test
    void negativeDimension() throws IOException {
        assertThat(openFails(TinyModels.modelWith(rawTensor("neg", FLOAT, dims(-1, 4), new byte[0]))))
                .hasMessageContaining("tensor 'neg': negative dimension in dims [-1, 4]");
    }

    @Test
    void duplicateInitializerNames() throws IOException {
        assertThat(openFails(TinyModels.modelWith(rawTensor("W", FLOAT, dims(1), rawFloats(1)))))
                .hasMessageContaining("tensor 'W': duplicate initializer name");
    }

    @Test
    void sparseInitializers() throws IOException {
        byte[] graph = message(out -> out.writeByteArray(15, message(o -> o.writeInt64(3, 4))));
        assertThat(openFails(model(graph))).hasMessageContaining("sparse initializers are not supported");
    }

    @Test
    void wrongWireTypeForAKnownField() throws IOException {
        byte[] badTensor = message(out -> {
            out.writeString(8, "x");
            out.writeInt32(2, 1);
            out.writeFixed32(9, 5); // raw_data must be length-delimited
        });
        assertThat(openFails(model(graph(List.of(), List.of(badTensor))))).hasMessageContaining("raw_data has wire type 5");
    }

    @Test
    void namesMustBeValidUtf8() throws IOException {
        byte[] badName = message(out -> {
            out.writeByteArray(8, new byte[] {'w', (byte) 0xC3, (byte) 0x28});
            out.writeInt32(2, 1);
            out.writeByteArray(9, rawFloats(1));
        });
        assertThat(openFails(model(graph(List.of(), List.of(badName))))).hasMessageContaining("field 8 is not valid UTF-8");
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.onnx");
        assertThatThrownBy(() -> OnnxModel.open(missing)).isInstanceOf(BadInputException.class)
                .hasMessage(missing + ": no such file");
    }
}
