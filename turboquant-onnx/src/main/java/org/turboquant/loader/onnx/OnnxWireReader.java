package org.turboquant.loader.onnx;

import static org.turboquant.loader.onnx.OnnxFields.*;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;

/**
 * Reads the parts of an ONNX ModelProto the loader needs straight from the protobuf wire format: the main graph's
 * initializers and nodes. One {@link CodedInputStream} walks the whole buffer with push/pop limits for nested
 * messages, so its position is always an absolute file offset: that is how {@code raw_data} becomes a zero-copy
 * slice. Subgraphs (If/Loop bodies) are skipped.
 */
final class OnnxWireReader {


    /**
     * An initializer as stored: its data are little-endian bytes of {@code dtype}, either in this file ({@code data})
     * or, when {@code external} is set, in a file beside it (then {@code data} is null).
     */
    record RawTensor(String name, DType dtype, long[] dims, long byteSize, MemorySegment data, ExternalRef external) { }

    /** Where external data sit: {@code location} relative to the model's directory; length -1 when not given. */
    record ExternalRef(String location, long offset, long length) { }

    record Parsed(List<RawTensor> initializers, List<OnnxNode> nodes) { }

    private final Path file;
    private final MemorySegment bytes;
    private final CodedInputStream in;

    private OnnxWireReader(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
        this.in = CodedInputStream.newInstance(new SegmentInputStream(bytes));
    }

    /**
     * Parses {@code bytes}, the content of {@code file}.
     *
     * @throws BadInputException on malformed protobuf or unsupported content
     */
    static Parsed read(Path file, MemorySegment bytes) {
        if (bytes.byteSize() > Integer.MAX_VALUE) {
            throw new BadInputException(file, null, "file over 2 GiB: ONNX keeps such weights as external data,"
                    + " which is not supported");
        }
        if (bytes.byteSize() == 0) throw new BadInputException(file, null, "empty file");
        try {
            return new OnnxWireReader(file, bytes).model();
        } catch (IOException e) { // InvalidProtocolBufferException: truncated, bad varint, limits
            throw new BadInputException(file, null, "malformed ONNX protobuf: " + e.getMessage(), e);
        }
    }

    private Parsed model() throws IOException {
        List<RawTensor> initializers = new ArrayList<>();
        List<OnnxNode> nodes = new ArrayList<>();
        boolean sawGraph = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (field(tag) == MODEL_GRAPH) {
                int limit = enter(tag, "graph");
                graph(initializers, nodes);
                in.popLimit(limit);
                sawGraph = true;
            } else {
                in.skipField(tag);
            }
        }
        if (!sawGraph) throw bad(null, "no graph in the model: not an ONNX model?");
        Set<String> names = new HashSet<>();
        for (RawTensor t : initializers) {
            if (!names.add(t.name())) throw bad(t.name(), "duplicate initializer name");
        }
        return new Parsed(initializers, nodes);
    }

    private void graph(List<RawTensor> initializers, List<OnnxNode> nodes) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case GRAPH_NODE -> {
                    int limit = enter(tag, "node");
                    nodes.add(node());
                    in.popLimit(limit);
                }
                case GRAPH_INITIALIZER -> {
                    int limit = enter(tag, "initializer");
                    initializers.add(tensor());
                    in.popLimit(limit);
                }
                case GRAPH_SPARSE_INITIALIZER -> throw bad(null, "sparse initializers are not supported");
                default -> in.skipField(tag);
            }
        }
    }

    private OnnxNode node() throws IOException {
        String opType = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, long[]> attributes = new HashMap<>();
        Map<String, double[]> reals = new HashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case NODE_INPUT -> inputs.add(string(tag));
                case NODE_OUTPUT -> outputs.add(string(tag));
                case NODE_OP_TYPE -> opType = string(tag);
                case NODE_ATTRIBUTE -> {
                    int limit = enter(tag, "attribute");
                    attribute(attributes, reals);
                    in.popLimit(limit);
                }
                default -> in.skipField(tag);
            }
        }
        return new OnnxNode(opType, inputs, outputs, attributes, reals);
    }

    /**
     * Keeps integer and integer-list attributes in {@code into}; float, float-list and small numeric tensor
     * attributes in {@code reals}; the others are skipped.
     */
    private void attribute(Map<String, long[]> into, Map<String, double[]> reals) throws IOException {
        String name = "";
        LongStream.Builder values = LongStream.builder();
        java.util.stream.DoubleStream.Builder real = java.util.stream.DoubleStream.builder();
        boolean hasValue = false, hasReal = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case ATTR_NAME -> name = string(tag);
                case ATTR_I, ATTR_INTS -> {
                    varints(tag, values);
                    hasValue = true;
                }
                case ATTR_F, ATTR_FLOATS -> {
                    fixed32Floats(tag, real);
                    hasReal = true;
                }
                case ATTR_T -> {
                    int limit = enter(tag, "tensor attribute");
                    double[] elements = smallTensor();
                    in.popLimit(limit);
                    if (elements != null) {
                        for (double d : elements) real.add(d);
                        hasReal = true;
                    }
                }
                default -> in.skipField(tag);
            }
        }
        if (hasValue) into.put(name, values.build().toArray());
        if (hasReal) reals.put(name, real.build().toArray());
    }

    /** Reads a repeated float field, packed or not. */
    private void fixed32Floats(int tag, java.util.stream.DoubleStream.Builder into) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(length());
            while (!in.isAtEnd()) into.add(in.readFloat());
            in.popLimit(limit);
        } else {
            expectWireType(tag, WireFormat.WIRETYPE_FIXED32, "float attribute");
            into.add(in.readFloat());
        }
    }

    /**
     * The elements of a tensor attribute (a Constant's value) when it is a float, double or integer tensor of at
     * most {@link OnnxNode#MAX_TENSOR_ATTRIBUTE} elements held in this file; null otherwise.
     */
    private double[] smallTensor() throws IOException {
        RawTensor t = tensor(false);
        boolean numeric = switch (t.dtype()) {
            case F32, F64, I64, I32 -> true;
            default -> false;
        };
        if (!numeric || t.data() == null || t.byteSize() > (long) OnnxNode.MAX_TENSOR_ATTRIBUTE * 8) return null;
        int n = Math.toIntExact(t.byteSize() / t.dtype().byteSize());
        if (n > OnnxNode.MAX_TENSOR_ATTRIBUTE) return null;
        double[] out = new double[n];
        MemorySegment d = t.data();
        java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case F32 -> d.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), 4L * i);
                case F64 -> d.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(le), 8L * i);
                case I64 -> d.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), 8L * i);
                case I32 -> d.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), 4L * i);
                default -> throw new IllegalStateException();
            };
        }
        return out;
    }

    private RawTensor tensor() throws IOException {
        return tensor(true);
    }

    /** A TensorProto; {@code named}: an initializer, which must have a name (a Constant's value need not). */
    private RawTensor tensor(boolean named) throws IOException {
        String name = "";
        int dataType = 0;
        LongStream.Builder dims = LongStream.builder();
        boolean external = false;
        Map<String, String> externalEntries = new HashMap<>();
        boolean segmented = false;
        long rawOffset = -1;
        int rawLength = 0;
        TypedData typed = new TypedData(file, bytes);
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case TENSOR_DIMS -> varints(tag, dims);
                case TENSOR_DATA_TYPE -> dataType = (int) varint(tag);
                case TENSOR_NAME -> name = string(tag);
                case TENSOR_RAW_DATA -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "raw_data");
                    rawLength = length();
                    rawOffset = in.getTotalBytesRead();
                    in.skipRawBytes(rawLength);
                }
                case TENSOR_FLOAT_DATA, TENSOR_INT32_DATA, TENSOR_INT64_DATA, TENSOR_DOUBLE_DATA, TENSOR_UINT64_DATA ->
                        span(tag, typed);
                case TENSOR_EXTERNAL_DATA -> {
                    int limit = enter(tag, "external_data");
                    keyValue(externalEntries);
                    in.popLimit(limit);
                    external = true;
                }
                case TENSOR_DATA_LOCATION -> external |= varint(tag) == DATA_LOCATION_EXTERNAL;
                case TENSOR_SEGMENT -> {
                    segmented = true;
                    in.skipField(tag);
                }
                default -> in.skipField(tag);
            }
        }
        if (name.isEmpty() && named) throw bad(null, "initializer without a name");
        if (segmented) throw bad(name, "segmented tensors are not supported");
        DType dtype = OnnxDataType.toDType(dataType);
        if (dtype == null) throw bad(name, "unsupported data_type " + OnnxDataType.describe(dataType));
        long[] shape = dims.build().toArray();
        long byteSize = byteSize(name, dtype, shape);
        if (external) {
            if (rawOffset >= 0 || !typed.isEmpty()) throw bad(name, "has both external and embedded data");
            return new RawTensor(name, dtype, shape, byteSize, null, externalRef(name, externalEntries));
        }
        MemorySegment data;
        if (rawOffset >= 0) {
            if (!typed.isEmpty()) throw bad(name, "has both raw_data and typed data fields");
            if (rawLength != byteSize) {
                throw bad(name, "raw_data holds " + rawLength + " bytes but dims " + Arrays.toString(shape)
                        + " of " + dtype + " need " + byteSize);
            }
            data = bytes.asSlice(rawOffset, rawLength);
        } else {
            data = typed.decode(name, dtype, byteSize);
        }
        return new RawTensor(name, dtype, shape, byteSize, data, null);
    }

    /** A StringStringEntryProto (key 1, value 2), added to {@code into}. */
    private void keyValue(Map<String, String> into) throws IOException {
        String key = "";
        String value = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case ENTRY_KEY -> key = string(tag);
                case ENTRY_VALUE -> value = string(tag);
                default -> in.skipField(tag);
            }
        }
        into.put(key, value);
    }

    /** The external_data entries: location (required), offset and length (decimal, optional). */
    private ExternalRef externalRef(String name, Map<String, String> entries) {
        String location = entries.get("location");
        if (location == null || location.isEmpty()) throw bad(name, "external data without a location");
        return new ExternalRef(location, decimal(name, entries, "offset", 0), decimal(name, entries, "length", -1));
    }

    private long decimal(String name, Map<String, String> entries, String key, long fallback) {
        String v = entries.get(key);
        if (v == null) return fallback;
        try {
            long n = Long.parseLong(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(name, "external data " + key + " '" + v + "' is not a non-negative integer");
    }

    private long byteSize(String name, DType dtype, long[] shape) {
        long n = dtype.byteSize();
        for (long d : shape) {
            if (d < 0) throw bad(name, "negative dimension in dims " + Arrays.toString(shape));
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw bad(name, "dims " + Arrays.toString(shape) + " overflow 64-bit byte counts");
            }
        }
        return n;
    }

    /** Records a typed data field: packed (length-delimited) or one unpacked value of the field's wire type. */
    private void span(int tag, TypedData into) throws IOException {
        int f = field(tag);
        int elementWireType = switch (f) {
            case TENSOR_FLOAT_DATA -> WireFormat.WIRETYPE_FIXED32;
            case TENSOR_DOUBLE_DATA -> WireFormat.WIRETYPE_FIXED64;
            default -> WireFormat.WIRETYPE_VARINT;
        };
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int length = length();
            long offset = in.getTotalBytesRead();
            in.skipRawBytes(length);
            into.add(f, offset, length);
            return;
        }
        expectWireType(tag, elementWireType, "typed data field " + f);
        long start = in.getTotalBytesRead();
        in.skipField(tag);
        into.add(f, start, (int) (in.getTotalBytesRead() - start));
    }

    /** Reads a repeated varint field, packed or not. */
    private void varints(int tag, LongStream.Builder into) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(length());
            while (!in.isAtEnd()) into.add(in.readInt64());
            in.popLimit(limit);
        } else {
            into.add(varint(tag));
        }
    }

    private long varint(int tag) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_VARINT, "field " + field(tag));
        return in.readInt64();
    }

    private String string(int tag) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "field " + field(tag));
        return Utf8.decode(in.readByteArray(), () -> bad(null, "field " + field(tag) + " is not valid UTF-8"));
    }

    /** Reads a nested message's length and pushes it as the limit; returns the old limit for popLimit. */
    private int enter(int tag, String what) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, what);
        return in.pushLimit(length());
    }

    private int length() throws IOException {
        int length = in.readRawVarint32();
        if (length < 0 || length > bytes.byteSize() - in.getTotalBytesRead()) {
            throw bad(null, "length " + Integer.toUnsignedString(length) + " at offset " + in.getTotalBytesRead()
                    + " runs past the end of the file: truncated?");
        }
        return length;
    }

    private void expectWireType(int tag, int wireType, String what) {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw bad(null, what + " has wire type " + WireFormat.getTagWireType(tag) + ", expected " + wireType
                    + " (at offset " + in.getTotalBytesRead() + ")");
        }
    }

    private static int field(int tag) { return WireFormat.getTagFieldNumber(tag); }

    private BadInputException bad(String tensor, String problem) {
        return new BadInputException(file, tensor, problem);
    }
}
