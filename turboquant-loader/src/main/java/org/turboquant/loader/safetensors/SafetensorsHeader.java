package org.turboquant.loader.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.turboquant.loader.BadInputException;

/**
 * The validated header of a safetensors file: its tensors in offset order and its metadata. Parsing works on the
 * file's bytes as a segment and only reads the 8-byte length and the header itself, never the data section.
 */
record SafetensorsHeader(long dataStart, List<TensorInfo> tensors, Map<String, String> metadata) {

    /** Largest header accepted; the reference implementation uses the same bound. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Validates the header of {@code bytes}, the whole content of {@code file}.
     *
     * @throws BadInputException on anything malformed
     */
    static SafetensorsHeader parse(Path file, MemorySegment bytes) {
        long fileSize = bytes.byteSize();
        if (fileSize < Long.BYTES) {
            throw new BadInputException(file, null, "file too short for a safetensors header: " + fileSize + " bytes");
        }
        long headerLength = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new BadInputException(file, null, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - Long.BYTES) {
            throw new BadInputException(file, null, "header length " + headerLength
                    + " runs past the end of the file (" + fileSize + " bytes): truncated file?");
        }
        byte[] json = bytes.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = Long.BYTES + headerLength;
        return fromJson(file, json, fileSize - dataStart, dataStart);
    }

    private static SafetensorsHeader fromJson(Path file, byte[] json, long dataSize, long dataStart) {
        JsonNode root = readTree(file, json);
        if (!root.isObject()) {
            throw new BadInputException(file, null, "header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                tensors.add(entry(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkNoOverlap(file, tensors);
        return new SafetensorsHeader(dataStart, List.copyOf(tensors), metadata);
    }

    private static JsonNode readTree(Path file, byte[] json) {
        try {
            JsonNode root = JSON.readTree(strictUtf8(file, json));
            if (root == null || root.isMissingNode()) {
                throw new BadInputException(file, null, "invalid header JSON: empty header");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new BadInputException(file, null, "invalid header JSON: " + org.turboquant.loader.JsonErrors.describe(e), e);
        }
    }

    /** Jackson would guess UTF-16 or UTF-32 from the first bytes; the format says UTF-8, so decode strictly first. */
    private static String strictUtf8(Path file, byte[] json) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file, null, "header is not valid UTF-8");
        }
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new BadInputException(file, null, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new BadInputException(file, null,
                        METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
            }
            map.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(map);
    }

    private static TensorInfo entry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw new BadInputException(file, name, "header entry is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_FIELDS.contains(field.getKey())) {
                throw new BadInputException(file, name, "unexpected header field '" + field.getKey() + "'");
            }
        }
        DType dtype = dtype(file, name, node.get("dtype"));
        long[] shape = longs(file, name, "shape", node.get("shape"));
        long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2) {
            throw new BadInputException(file, name, "data_offsets must hold 2 numbers, not " + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new BadInputException(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataSize) {
            throw new BadInputException(file, name, "data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataSize + " bytes");
        }
        long expected = byteSize(file, name, dtype, shape);
        if (expected != end - begin) {
            throw new BadInputException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + expected + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(Path file, String name, JsonNode node) {
        if (node == null) throw new BadInputException(file, name, "missing dtype");
        if (!node.isTextual()) throw new BadInputException(file, name, "dtype is not a string");
        return DType.fromId(node.textValue()).orElseThrow(() ->
                new BadInputException(file, name, "unknown or unsupported dtype '" + node.textValue() + "'"));
    }

    /** A JSON array of non-negative integers that fit a long. */
    private static long[] longs(Path file, String name, String field, JsonNode node) {
        if (node == null) throw new BadInputException(file, name, "missing " + field);
        if (!node.isArray()) throw new BadInputException(file, name, field + " is not a JSON array");
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new BadInputException(file, name, field + " must hold non-negative integers, found " + v);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static long byteSize(Path file, String name, DType dtype, long[] shape) {
        try {
            return Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new BadInputException(file, name, "shape " + Arrays.toString(shape)
                    + " overflows 64-bit byte counts");
        }
    }

    /** Tensors are sorted by offset; each must end before the next one begins. Gaps are allowed. */
    private static void checkNoOverlap(Path file, List<TensorInfo> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new BadInputException(file, cur.name(), "data_offsets [" + cur.begin() + ", " + cur.end()
                        + "] overlap those of '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + "]");
            }
        }
    }
}
