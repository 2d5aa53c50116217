package org.turboquant.loader.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds ONNX protobuf messages by hand with CodedOutputStream, using onnx.proto's field numbers. */
final class OnnxBytes {

    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int STRING = 8;
    static final int FLOAT16 = 10;

    private OnnxBytes() { }

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ModelProto: ir_version, producer_name, an opset_import (all skipped by the reader), then the graph. */
    static byte[] model(byte[] graph) {
        return message(out -> {
            out.writeInt64(1, 8);
            out.writeString(2, "hand-made");
            out.writeByteArray(8, message(o -> o.writeInt64(2, 17)));
            out.writeByteArray(7, graph);
        });
    }

    static byte[] graph(List<byte[]> nodes, List<byte[]> initializers) {
        return message(out -> {
            out.writeString(2, "g");
            for (byte[] n : nodes) out.writeByteArray(1, n);
            for (byte[] t : initializers) out.writeByteArray(5, t);
        });
    }

    static byte[] node(String op, List<String> inputs, List<String> outputs, byte[]... attributes) {
        return message(out -> {
            for (String in : inputs) out.writeString(1, in);
            for (String o : outputs) out.writeString(2, o);
            out.writeString(3, op + "_node");
            out.writeString(4, op);
            for (byte[] a : attributes) out.writeByteArray(5, a);
        });
    }

    static byte[] intAttribute(String name, long value) {
        return message(out -> {
            out.writeString(1, name);
            out.writeInt32(20, 2); // type INT
            out.writeInt64(3, value);
        });
    }

    static byte[] intsAttribute(String name, long... values) {
        return message(out -> {
            out.writeString(1, name);
            out.writeInt32(20, 7); // type INTS
            for (long v : values) out.writeInt64(8, v); // unpacked, as onnx writes them
        });
    }

    /** TensorProto with dims written packed, then whatever {@code data} adds. */
    static byte[] tensor(String name, int dataType, long[] dims, Body data) {
        return message(out -> {
            out.writeByteArray(1, message(o -> {
                for (long d : dims) o.writeInt64NoTag(d);
            }));
            out.writeInt32(2, dataType);
            out.writeString(8, name);
            data.write(out);
        });
    }

    static byte[] rawTensor(String name, int dataType, long[] dims, byte[] raw) {
        return tensor(name, dataType, dims, out -> out.writeByteArray(9, raw));
    }

    static byte[] rawFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    static byte[] rawHalves(short... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : bits) b.putShort(v);
        return b.array();
    }

    /** float_data written packed. */
    static Body packedFloats(float... values) {
        return out -> out.writeByteArray(4, message(o -> {
            for (float v : values) o.writeFloatNoTag(v);
        }));
    }

    /** float_data written as one field per value (legal protobuf, unusual). */
    static Body unpackedFloats(float... values) {
        return out -> {
            for (float v : values) out.writeFloat(4, v);
        };
    }

    static Body packedInt64s(long... values) {
        return out -> out.writeByteArray(7, message(o -> {
            for (long v : values) o.writeInt64NoTag(v);
        }));
    }

    static long[] dims(long... d) { return d; }
}
