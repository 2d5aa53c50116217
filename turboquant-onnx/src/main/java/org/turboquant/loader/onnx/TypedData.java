package org.turboquant.loader.onnx;

import static org.turboquant.loader.onnx.OnnxFields.*;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;

/**
 * A tensor's values given in TensorProto's typed repeated fields ({@code float_data}, {@code int32_data}, ...)
 * rather than {@code raw_data}: the reader records where each occurrence sits, and {@link #decode} converts them to
 * little-endian bytes on the heap once the data type and dims are known (fields may come in any order).
 */
final class TypedData {

    /** Typed data is copied to the heap, so it must fit a byte array; larger tensors must use raw_data. */
    private static final long MAX_TYPED_BYTES = Integer.MAX_VALUE - 8;

    /** One occurrence of a typed field: a packed run, or a single unpacked value, at a file offset. */
    private record Span(int field, long offset, int length) { }

    private final Path file;
    private final MemorySegment bytes;
    private final List<Span> spans = new ArrayList<>();

    TypedData(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    void add(int field, long offset, int length) { spans.add(new Span(field, offset, length)); }

    boolean isEmpty() { return spans.isEmpty(); }

    /** The field that holds values of {@code dtype} when raw_data is not used (onnx.proto's rules). */
    private static int typedField(DType dtype) {
        return switch (dtype) {
            case F32 -> TENSOR_FLOAT_DATA;
            case F64 -> TENSOR_DOUBLE_DATA;
            case I64 -> TENSOR_INT64_DATA;
            default -> TENSOR_INT32_DATA; // I32, I16, I8, U8, BOOL, and the bits of F16 / BF16
        };
    }

    /**
     * The tensor's values as little-endian bytes of {@code dtype}, checked against the expected field and count.
     *
     * @throws BadInputException when the fields do not fit the data type or the count differs from the dims
     */
    MemorySegment decode(String name, DType dtype, long byteSize) throws IOException {
        int expectedField = typedField(dtype);
        long count = 0;
        for (Span s : spans) {
            if (s.field() != expectedField) {
                throw bad(name, "data in field " + s.field() + " does not fit data_type " + dtype);
            }
            count += countValues(name, s);
        }
        long numel = byteSize / dtype.byteSize();
        if (count != numel) {
            throw bad(name, (count == 0 ? "no data" : "holds " + count + " values") + " but dims need " + numel);
        }
        if (byteSize > MAX_TYPED_BYTES) throw bad(name, "typed data over 2 GiB; only raw_data is supported there");
        MemorySegment out = MemorySegment.ofArray(new byte[(int) byteSize]);
        long pos = 0;
        for (Span s : spans) {
            CodedInputStream values = CodedInputStream.newInstance(
                    bytes.asSlice(s.offset(), s.length()).toArray(ValueLayout.JAVA_BYTE));
            while (!values.isAtEnd()) {
                putValue(out, pos, dtype, values);
                pos += dtype.byteSize();
            }
        }
        return out;
    }

    private static void putValue(MemorySegment out, long pos, DType dtype, CodedInputStream values)
            throws IOException {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        switch (dtype) {
            case F32 -> out.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), pos, values.readFloat());
            case F64 -> out.set(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(le), pos, values.readDouble());
            case I64 -> out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), pos, values.readInt64());
            case I32 -> out.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), pos, values.readInt32());
            case I16, F16, BF16 -> out.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), pos,
                    (short) values.readInt32());
            case I8, U8, BOOL -> out.set(ValueLayout.JAVA_BYTE, pos, (byte) values.readInt32());
        }
    }

    private long countValues(String name, Span s) {
        return switch (s.field()) {
            case TENSOR_FLOAT_DATA -> {
                if (s.length() % 4 != 0) throw bad(name, "packed float_data of " + s.length() + " bytes");
                yield s.length() / 4;
            }
            case TENSOR_DOUBLE_DATA -> {
                if (s.length() % 8 != 0) throw bad(name, "packed double_data of " + s.length() + " bytes");
                yield s.length() / 8;
            }
            default -> { // varints: one value ends at each byte without the continuation bit
                long n = 0;
                for (long i = 0; i < s.length(); i++) {
                    if ((bytes.get(ValueLayout.JAVA_BYTE, s.offset() + i) & 0x80) == 0) n++;
                }
                if (s.length() > 0 && (bytes.get(ValueLayout.JAVA_BYTE, s.offset() + s.length() - 1) & 0x80) != 0) {
                    throw bad(name, "truncated varint in packed data");
                }
                yield n;
            }
        };
    }

    private BadInputException bad(String tensor, String problem) {
        return new BadInputException(file, tensor, problem);
    }
}
