package org.turboquant.loader.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.turboquant.loader.onnx.OnnxBytes.*;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.source.Usage;

class OnnxModelTest {

    private static final ValueLayout.OfFloat LE_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    private OnnxModel openTiny() throws IOException {
        return OnnxModel.open(Files.write(dir.resolve("tiny.onnx"), TinyModels.model()));
    }

    @Test
    void initializersComeInFileOrderWithTypesAndDims() throws IOException {
        try (OnnxModel m = openTiny()) {
            assertThat(m.initializers()).extracting(OnnxInitializer::name).containsExactly("W", "b", "E", "G", "T", "s");
            assertThat(m.initializer("G").dtype()).isEqualTo(DType.F16);
            assertThat(m.initializer("G").dims()).containsExactly(3, 4);
            assertThat(m.initializer("s").dtype()).isEqualTo(DType.I64);
            assertThat(m.nodes()).extracting(OnnxNode::opType)
                    .containsExactly("MatMul", "Add", "Gather", "Gemm", "Transpose", "MatMul", "Reshape");
        }
    }

    @Test
    void usagesFollowTheConsumingNodes() throws IOException {
        try (OnnxModel m = openTiny()) {
            assertThat(m.initializer("W").usage()).isEqualTo(Usage.MATMUL_WEIGHT);
            assertThat(m.initializer("b").usage()).isEqualTo(Usage.OTHER);
            assertThat(m.initializer("E").usage()).isEqualTo(Usage.GATHER_TABLE);
            assertThat(m.initializer("G").usage()).as("Gemm with transB=1").isEqualTo(Usage.LINEAR_WEIGHT);
            assertThat(m.initializer("T").usage()).as("MatMul through Transpose").isEqualTo(Usage.LINEAR_WEIGHT);
            assertThat(m.initializer("s").usage()).isEqualTo(Usage.OTHER);
            assertThat(m.consumersOf("G")).singleElement().satisfies(n -> {
                assertThat(n.opType()).isEqualTo("Gemm");
                assertThat(n.intAttribute("transB", 0)).isOne();
            });
            assertThat(m.consumersOf("Tt")).extracting(OnnxNode::opType).containsExactly("MatMul");
        }
    }

    @Test
    void rawDataIsAZeroCopySliceOfTheMappedFile() throws IOException {
        byte[] content = TinyModels.model();
        try (OnnxModel m = OnnxModel.open(Files.write(dir.resolve("tiny.onnx"), content))) {
            OnnxInitializer w = m.initializer("W");
            assertThat(w.data().isMapped()).isTrue();
            assertThat(w.data().isReadOnly()).isTrue();
            assertThat(w.data().toArray(LE_FLOAT)).containsExactly(TinyModels.W);
            assertThat(m.initializer("T").data().toArray(LE_FLOAT)).containsExactly(TinyModels.T);
        }
    }

    @Test
    void typedDataFieldsDecodePackedAndUnpacked() throws IOException {
        try (OnnxModel m = openTiny()) {
            assertThat(m.initializer("E").data().toArray(LE_FLOAT)).containsExactly(TinyModels.E);
            assertThat(m.initializer("b").data().toArray(LE_FLOAT)).containsExactly(TinyModels.B);
            assertThat(m.initializer("s").data().toArray(ValueLayout.JAVA_LONG_UNALIGNED
                    .withOrder(ByteOrder.LITTLE_ENDIAN))).containsExactly(-1, 3);
        }
    }

    @Test
    void externalDataAreMappedFromAFileBesideTheModel() throws IOException {
        Files.write(dir.resolve("weights.bin"), concat(new byte[4], rawFloats(1.5f, -2f, 3f, 0.25f)));
        byte[] model = TinyModels.modelWith(OnnxBadInputTest.externalTensor("ext", dims(2, 2),
                "location", "weights.bin", "offset", "4", "length", "16"));
        try (OnnxModel m = OnnxModel.open(Files.write(dir.resolve("m.onnx"), model))) {
            OnnxInitializer ext = m.initializer("ext");
            assertThat(ext.data().isMapped()).isTrue();
            assertThat(ext.data().toArray(LE_FLOAT)).containsExactly(1.5f, -2f, 3f, 0.25f);
            assertThat(m.externalFiles()).containsExactly(dir.resolve("weights.bin").toAbsolutePath());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void gemmWithoutTransBAndATiedEmbeddingResolveByOrientation() {
        byte[] graph = graph(List.of(
                        node("Gemm", List.of("X", "A"), List.of("P")),
                        node("Gather", List.of("V", "ids"), List.of("e")),
                        node("Transpose", List.of("V"), List.of("Vt")),
                        node("MatMul", List.of("h", "Vt"), List.of("logits")),
                        node("Gather", List.of("C", "ids"), List.of("c")),
                        node("MatMul", List.of("h", "C"), List.of("d"))),
                List.of(rawTensor("A", FLOAT, dims(2, 2), rawFloats(1, 2, 3, 4)),
                        rawTensor("V", FLOAT, dims(2, 2), rawFloats(1, 2, 3, 4)),
                        rawTensor("C", FLOAT, dims(2, 2), rawFloats(1, 2, 3, 4))));
        OnnxModel m = OnnxModel.parse(Path.of("tied.onnx"), model(graph));
        assertThat(m.initializer("A").usage()).isEqualTo(Usage.MATMUL_WEIGHT);
        assertThat(m.initializer("V").usage()).as("Gather table + transposed MatMul: rows are vectors both ways")
                .isEqualTo(Usage.GATHER_TABLE);
        assertThat(m.initializer("C").usage()).as("rows for Gather, columns for MatMul: keep as is")
                .isEqualTo(Usage.OTHER);
    }
}
