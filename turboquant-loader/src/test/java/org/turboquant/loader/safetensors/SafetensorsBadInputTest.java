package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;

/** Every kind of malformed file fails at open with one clean line naming the file, the tensor and the problem. */
class SafetensorsBadInputTest {

    @TempDir
    Path dir;

    private BadInputException openFails(byte[] content) throws IOException {
        Path file = SafetensorsBytes.write(dir, "bad.safetensors", content);
        try {
            SafetensorsFile.open(file).close();
        } catch (BadInputException e) {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("opened a bad file");
    }

    @Test
    void emptyFile() throws IOException {
        assertThat(openFails(new byte[0])).hasMessageContaining("file too short").hasMessageContaining("0 bytes");
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertThat(openFails(new byte[] {5, 0, 0})).hasMessageContaining("file too short");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        byte[] whole = SafetensorsBytes.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        assertThat(openFails(Arrays.copyOf(whole, 20))).hasMessageContaining("runs past the end of the file");
    }

    @Test
    void truncatedInsideTheData() throws IOException {
        Path good = SafetensorsBytes.writeCounting(dir.resolve("good.safetensors"),
                List.of(TensorSpec.of("a", DType.F32, 4), TensorSpec.of("b", DType.F32, 4)), Map.of());
        byte[] whole = Files.readAllBytes(good);
        BadInputException e = openFails(Arrays.copyOf(whole, whole.length - 5));
        assertThat(e.tensor()).isEqualTo("b");
        assertThat(e).hasMessageContaining("data_offsets [16, 32] lie outside the data section of 27 bytes");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        assertThat(openFails(SafetensorsBytes.withLength(1000, "{}".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("header length 1000 runs past the end of the file (10 bytes)");
    }

    @Test
    void absurdlyLargeHeaderLength() throws IOException {
        assertThat(openFails(SafetensorsBytes.withLength(1L << 40, new byte[16])))
                .hasMessageContaining("header length 1099511627776 exceeds the limit of 100000000 bytes");
    }

    @Test
    void headerLengthWithTheSignBitSetIsReportedUnsigned() throws IOException {
        assertThat(openFails(SafetensorsBytes.withLength(-1, new byte[16])))
                .hasMessageContaining("header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void invalidJson() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("{\"a\": {\"dtype\": ", 0)))
                .hasMessageContaining("invalid header JSON");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertThat(openFails(SafetensorsBytes.file(header, new byte[0]))).hasMessageContaining("header is not valid UTF-8");
    }

    @Test
    void utf16IsNotAcceptedForUtf8() throws IOException {
        byte[] header = "{\"__metadata__\":{}}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(openFails(SafetensorsBytes.file(header, new byte[0]))).hasMessageContaining("invalid header JSON");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("[1, 2]  ", 0))).hasMessageContaining("not a JSON object");
    }

    @Test
    void trailingGarbageAfterTheHeaderObject() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("{} {}", 0))).hasMessageContaining("invalid header JSON");
    }

    @Test
    void unknownDtype() throws IOException {
        BadInputException e = openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F8_E8M0\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4));
        assertThat(e.tensor()).isEqualTo("w");
        assertThat(e).hasMessageContaining("tensor 'w'").hasMessageContaining("unknown or unsupported dtype 'F8_E8M0'");
    }

    @Test
    void shapeTimesDtypeSizeDiffersFromTheByteRange() throws IOException {
        BadInputException e = openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24));
        assertThat(e).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("shape [2, 3] of F32 needs 24 bytes but data_offsets span 20");
    }

    @Test
    void shapeWhoseByteCountOverflows() throws IOException {
        BadInputException e = openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0));
        assertThat(e).hasMessageContaining("overflows 64-bit byte counts");
    }

    @Test
    void offsetsPastTheDataSection() throws IOException {
        BadInputException e = openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[4,12]}}", 8));
        assertThat(e).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("data_offsets [4, 12] lie outside the data section of 8 bytes");
    }

    @Test
    void offsetsThatEndBeforeTheyBegin() throws IOException {
        assertThat(openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[6,2]}}", 8)))
                .hasMessageContaining("end before they begin");
    }

    @Test
    void overlappingOffsets() throws IOException {
        BadInputException e = openFails(SafetensorsBytes.file("{"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertThat(e.tensor()).isEqualTo("b");
        assertThat(e).hasMessageContaining("data_offsets [4, 12] overlap those of 'a' [0, 8]");
    }

    @Test
    void duplicateNames() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("{"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)))
                .hasMessageContaining("invalid header JSON").hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void negativeOrFractionalDimensions() throws IOException {
        assertThat(openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)))
                .hasMessageContaining("shape must hold non-negative integers, found -1");
        assertThat(openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4)))
                .hasMessageContaining("shape must hold non-negative integers, found 1.5");
    }

    @Test
    void missingOrUnexpectedEntryFields() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)))
                .hasMessageContaining("tensor 'w': missing data_offsets");
        assertThat(openFails(SafetensorsBytes.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4)))
                .hasMessageContaining("unexpected header field 'x'");
        assertThat(openFails(SafetensorsBytes.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4)))
                .hasMessageContaining("data_offsets must hold 2 numbers, not 1");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertThat(openFails(SafetensorsBytes.file("{\"__metadata__\":{\"epoch\":3}}", 0)))
                .hasMessageContaining("__metadata__ value of 'epoch' is not a string");
        assertThat(openFails(SafetensorsBytes.file("{\"__metadata__\":\"x\"}", 0)))
                .hasMessageContaining("__metadata__ is not a JSON object");
    }

    @Test
    void missingFileIsBadInputToo() {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(missing)).isInstanceOf(BadInputException.class)
                .hasMessage(missing + ": no such file");
    }
}
