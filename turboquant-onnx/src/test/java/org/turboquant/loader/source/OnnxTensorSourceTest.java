package org.turboquant.loader.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;

/** TensorSource over an .onnx file: a Gemm weight in F16 (transB=1) and a MatMul weight in F32. */
class OnnxTensorSourceTest {

    @TempDir
    Path dir;

    private static byte[] bytes(Body body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(b);
        body.write(out);
        out.flush();
        return b.toByteArray();
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] tensor(String name, int dataType, long d0, long d1, byte[] raw) throws IOException {
        return bytes(out -> {
            out.writeInt64(1, d0);
            out.writeInt64(1, d1); // dims unpacked this time
            out.writeInt32(2, dataType);
            out.writeString(8, name);
            out.writeByteArray(9, raw);
        });
    }

    private static byte[] node(String op, String a, String b, boolean transB) throws IOException {
        return bytes(out -> {
            out.writeString(1, a);
            out.writeString(1, b);
            out.writeString(2, op + "_out");
            out.writeString(4, op);
            if (transB) out.writeByteArray(5, bytes(o -> {
                o.writeString(1, "transB");
                o.writeInt64(3, 1);
            }));
        });
    }

    @Test
    void onnxInitializersBecomeSourceTensorsWithGraphUsages() throws IOException {
        ByteBuffer halves = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3C00).putShort((short) 0xBC00).putShort((short) 0x3800).putShort((short) 0x0001);
        ByteBuffer floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f);
        byte[] graph = bytes(out -> {
            out.writeByteArray(1, node("Gemm", "x", "fc.weight", true));
            out.writeByteArray(1, node("MatMul", "x", "proj", false));
            out.writeByteArray(5, tensor("fc.weight", 10, 2, 2, halves.array()));
            out.writeByteArray(5, tensor("proj", 1, 2, 1, floats.array()));
        });
        Path file = Files.write(dir.resolve("m.onnx"), bytes(out -> out.writeByteArray(7, graph)));
        try (TensorSource s = TensorSource.open(file)) {
            assertThat(s.tensors()).extracting(SourceTensor::name).containsExactly("fc.weight", "proj");
            SourceTensor fc = s.tensor("fc.weight");
            assertThat(fc.dtype()).isEqualTo(DType.F16);
            assertThat(fc.usage()).isEqualTo(Usage.LINEAR_WEIGHT);
            assertThat(s.tensor("proj").usage()).isEqualTo(Usage.MATMUL_WEIGHT);
            float[] dst = new float[4];
            s.readFloats(fc, 0, dst, 0, 4);
            assertThat(dst).containsExactly(1f, -1f, 0.5f, 0x1p-24f);
            assertThat(s.raw(s.tensor("proj")).isMapped()).isTrue();
            assertThat(s.sha256()).hasSize(64);
        }
    }
}
