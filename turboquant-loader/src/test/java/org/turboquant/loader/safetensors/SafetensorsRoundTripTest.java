package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsWithShapesOffsetsAndMetadata() throws IOException {
        Random rnd = new Random(7);
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        int i = 0;
        for (DType t : DType.values()) {
            TensorSpec spec = TensorSpec.of("t" + (i++) + "." + t.name().toLowerCase(), t, 3, 5);
            byte[] bytes = new byte[(int) spec.byteSize()];
            rnd.nextBytes(bytes);
            specs.add(spec);
            contents.put(spec.name(), bytes);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "ünïcode ✓");
        Path file = dir.resolve("all.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, metadata)) {
            for (TensorSpec s : specs) {
                byte[] b = contents.get(s.name());
                w.write(b, 0, 7); // uneven chunks, one of them a heap segment
                w.write(MemorySegment.ofArray(Arrays.copyOfRange(b, 7, b.length)));
            }
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(metadata);
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactlyElementsOf(contents.keySet());
            assertThat(f.dataStart() % 8).isZero();
            long expectedBegin = 0;
            for (TensorInfo info : f.tensors()) {
                assertThat(info.shape()).containsExactly(3, 5);
                assertThat(info.begin()).isEqualTo(expectedBegin);
                expectedBegin = info.end();
                assertThat(f.segment(info.name()).toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(contents.get(info.name()));
            }
            assertThat(f.tensors()).extracting(TensorInfo::dtype).containsExactly(DType.values());
        }
    }

    @Test
    void headerIsCompactInDeclarationOrderAndSpacePaddedToEightBytes() {
        byte[] header = SafetensorsWriter.header(
                List.of(TensorSpec.of("b", DType.F32, 2), TensorSpec.of("a", DType.BF16, 1, 3)), Map.of("k", "v"));
        String json = new String(header, StandardCharsets.UTF_8);
        String expected = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[8,14]}}";
        assertThat(json).startsWith(expected);
        assertThat(json.substring(expected.length())).matches(" {0,7}");
        assertThat(header.length % 8).isZero();
    }

    @Test
    void offsetsAreComputedInLongArithmeticBeyondTwoGigabytes() {
        // 65536 × 16384 F32 = 4 GiB; the next tensor starts there
        byte[] header = SafetensorsWriter.header(
                List.of(TensorSpec.of("big", DType.F32, 65536, 16384), TensorSpec.of("next", DType.F16, 3)), Map.of());
        assertThat(new String(header, StandardCharsets.UTF_8))
                .contains("\"data_offsets\":[0,4294967296]")
                .contains("\"data_offsets\":[4294967296,4294967302]");
    }

    @Test
    void readerSlicesTensorsPastTwoGigabytesInASparseFile() throws IOException {
        byte[] header = SafetensorsWriter.header(
                List.of(TensorSpec.of("big", DType.U8, 3L << 30), TensorSpec.of("tail", DType.I32, 2)), Map.of());
        Path file = dir.resolve("sparse.safetensors");
        Files.write(file, SafetensorsBytes.file(header, new byte[0]));
        long dataStart = 8 + header.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + (3L << 30) + 8); // sparse: no 3 GiB actually written
            raf.seek(dataStart + (3L << 30));
            raf.write(new byte[] {1, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.segment("big").byteSize()).isEqualTo(3L << 30);
            MemorySegment tail = f.segment("tail");
            assertThat(tail.toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(1, -1);
        }
    }

    @Test
    void mappedAndNonByteHeapSegmentsCopyThroughUnchanged() throws IOException {
        List<TensorSpec> specs = List.of(TensorSpec.of("a", DType.I16, 70_000), TensorSpec.of("b", DType.U8, 5));
        Path source = SafetensorsBytes.writeCounting(dir.resolve("src.safetensors"), specs, Map.of("k", "v"));
        Path copy = dir.resolve("copy.safetensors");
        try (SafetensorsFile in = SafetensorsFile.open(source);
             SafetensorsWriter out = SafetensorsWriter.create(copy, specs, Map.of("k", "v"))) {
            out.write(in.segment("a")); // mapped: written zero-copy, spans several staging buffers
            out.write(MemorySegment.ofArray(new int[] {0x03020100}).asSlice(0, 4)); // an int[] heap segment
            out.write(in.segment("b").asSlice(4, 1));
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(source));
    }

    @Test
    void writerOutputIsByteForByteReproducible() throws IOException {
        List<TensorSpec> specs = List.of(TensorSpec.of("x", DType.F16, 4, 4), TensorSpec.of("y", DType.I8, 9));
        Path a = SafetensorsBytes.writeCounting(dir.resolve("a.safetensors"), specs, Map.of("m", "1"));
        Path b = SafetensorsBytes.writeCounting(dir.resolve("b.safetensors"), specs, Map.of("m", "1"));
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void writeFloatsConvertsToTheDeclaredFloatDtype() throws IOException {
        float[] values = {1f, -2.5f, 65504f, 1.00390625f, Float.NaN, 0.1f};
        List<TensorSpec> specs = new ArrayList<>();
        for (DType t : List.of(DType.F32, DType.F16, DType.BF16, DType.F64)) {
            specs.add(TensorSpec.of(t.name(), t, values.length));
        }
        Path file = dir.resolve("floats.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of())) {
            for (int t = 0; t < specs.size(); t++) {
                w.writeFloats(values, 0, 2);
                w.writeFloats(values, 2, values.length - 2);
            }
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            float[] back = new float[values.length];
            FloatCodec.decode(f.segment("F32"), DType.F32, 0, back, 0, back.length);
            assertThat(back).containsExactly(values);
            FloatCodec.decode(f.segment("F64"), DType.F64, 0, back, 0, back.length);
            assertThat(back).containsExactly(values);
            FloatCodec.decode(f.segment("F16"), DType.F16, 0, back, 0, back.length);
            assertThat(back).containsExactly(1f, -2.5f, 65504f, 1.00390625f, Float.NaN, Float.float16ToFloat(
                    Float.floatToFloat16(0.1f)));
            FloatCodec.decode(f.segment("BF16"), DType.BF16, 0, back, 0, back.length);
            // 1.00390625 = 1 + 2^-8 lies halfway between BF16 neighbours 1 and 1 + 2^-7: ties to even gives 1
            assertThat(back).containsExactly(1f, -2.5f, 65536f, 1f, Float.NaN, 0.10009765625f);
        }
    }

    @Test
    void emptyAndScalarTensorsTakeNoOrOneElement() throws IOException {
        List<TensorSpec> specs = List.of(TensorSpec.of("empty", DType.F32, 0, 7), TensorSpec.of("scalar", DType.I64),
                TensorSpec.of("after", DType.U8, 1));
        Path file = SafetensorsBytes.writeCounting(dir.resolve("s.safetensors"), specs, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.info("empty").byteSize()).isZero();
            assertThat(f.info("scalar").shape()).isEmpty();
            assertThat(f.info("scalar").numel()).isOne();
            assertThat(f.segment("scalar").byteSize()).isEqualTo(8);
            assertThat(f.metadata()).isEmpty();
        }
    }

    @Test
    void writerRejectsOverlongChunksAndReportsIncompleteTensorsOnClose() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter w = SafetensorsWriter.create(file, List.of(TensorSpec.of("a", DType.F32, 2),
                TensorSpec.of("b", DType.F32, 2)), Map.of());
        assertThatThrownBy(() -> w.write(new byte[9], 0, 9)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tensor 'a': chunk of 9 bytes exceeds the 8 bytes it still needs");
        w.write(new byte[8], 0, 8);
        assertThat(w.currentTensor().name()).isEqualTo("b");
        w.write(new byte[3], 0, 3);
        assertThat(w.remainingInCurrent()).isEqualTo(5);
        assertThatThrownBy(w::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tensor 'b' is incomplete: 5 of 8 bytes missing");
    }

    @Test
    void writerRejectsBadDeclarations() {
        Path file = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.create(file,
                List.of(TensorSpec.of("a", DType.F32, 1), TensorSpec.of("a", DType.F32, 1)), Map.of()))
                .hasMessageContaining("duplicate tensor name 'a'");
        assertThatThrownBy(() -> SafetensorsWriter.create(file, List.of(TensorSpec.of("__metadata__", DType.U8, 1)),
                Map.of())).hasMessageContaining("reserved");
        assertThatThrownBy(() -> SafetensorsWriter.create(file, List.of(TensorSpec.of("n", DType.U8, -1)), Map.of()))
                .hasMessageContaining("negative dimension");
        assertThatThrownBy(() -> SafetensorsWriter.create(file, List.of(TensorSpec.of("i", DType.I32, 2)), Map.of())
                .writeFloats(new float[2], 0, 2)).hasMessageContaining("is I32, not a float dtype");
    }
}
