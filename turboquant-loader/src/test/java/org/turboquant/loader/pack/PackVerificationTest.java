package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * What {@link TqPack#open} checks, and when: structure always, at open; each tensor's SHA-256 on its first use
 * (or all at once with {@code open(dir, true)}); no checksum only when asked for by name, {@code verify(false)}.
 */
class PackVerificationTest {
    private static final String WEIGHT = "layers.0.mlp.weight", BIAS = "layers.0.mlp.bias";

    @TempDir Path tmp;
    Path pack;

    @BeforeEach
    void packSmallCheckpoint() throws IOException {
        pack = tmp.resolve("pack");
        Packer.pack(PackTest.checkpoint(tmp, 0), pack, PackTest.options(), false, ProgressListener.NONE);
    }

    @Test
    void openWithoutVerifyAllStillChecksEachTensorOnFirstUse() throws IOException {
        flipDataByte(WEIGHT + "#scales");

        try (TqPack p = TqPack.open(pack, false)) { // before issue 11's follow-up: no check at all
            assertThatThrownBy(() -> p.tensor(WEIGHT).dequantize()).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("'" + WEIGHT + "'").hasMessageContaining("checksum mismatch");
            assertThatCode(() -> p.tensor(BIAS).dequantize()).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> TqPack.open(pack, true).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'" + WEIGHT + "'");
        try (TqPack p = TqPack.open(pack, TqPack.Options.defaults().verify(false))) {
            assertThatCode(() -> p.tensor(WEIGHT).dequantize()).as("the explicit opt-out").doesNotThrowAnyException();
            assertThatThrownBy(p::verify).as("verify() checks whatever the options say")
                    .isInstanceOf(BadInputException.class).hasMessageContaining("'" + WEIGHT + "'");
        }
    }

    @Test
    void structuralChecksStayOnWithVerifyFalse() throws IOException {
        Path weights = pack.resolve(Manifest.WEIGHTS_FILE);
        byte[] good = Files.readAllBytes(weights);
        TqPack.Options unchecked = TqPack.Options.defaults().verify(false);

        Files.write(weights, java.util.Arrays.copyOf(good, good.length - 1)); // truncated: the last part runs past the end
        assertThatThrownBy(() -> TqPack.open(pack, unchecked).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining(Manifest.WEIGHTS_FILE);

        Files.write(weights, good);
        Path manifest = pack.resolve(Manifest.FILE_NAME);
        String m = Files.readString(manifest);
        Files.writeString(manifest, m.replaceFirst("\"rows\" : 96", "\"rows\" : 95"));
        assertThatThrownBy(() -> TqPack.open(pack, unchecked).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'" + WEIGHT + "'");
    }

    /** JSON accepts a tab or newline after the header object; the pack's writer never puts one there. */
    @Test
    void paddingOtherThanSpacesIsCorruptEvenWhereJsonWouldAcceptIt() throws IOException {
        Path weights = pack.resolve(Manifest.WEIGHTS_FILE);
        byte[] good = Files.readAllBytes(weights);
        long dataStart;
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            dataStart = f.dataStart();
        }
        int last = Math.toIntExact(dataStart - 1);
        assertThat(good[last]).as("this checkpoint's header is padded").isEqualTo((byte) ' ');
        for (byte b : new byte[] {'\n', '\t', '\r'}) {
            byte[] bad = good.clone();
            bad[last] = b;
            Files.write(weights, bad);
            try (SafetensorsFile f = SafetensorsFile.open(weights)) {
                assertThat(f.tensors()).as("a valid safetensors file").isNotEmpty();
            }
            assertThatThrownBy(() -> TqPack.open(pack, TqPack.Options.defaults().verify(false)).close())
                    .isInstanceOf(BadInputException.class).hasMessageContaining("padding");
        }
    }

    private void flipDataByte(String part) throws IOException {
        Path weights = pack.resolve(Manifest.WEIGHTS_FILE);
        long offset;
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            offset = f.dataStart() + f.info(part).begin() + 1;
        }
        byte[] bytes = Files.readAllBytes(weights);
        bytes[Math.toIntExact(offset)] ^= 0x40;
        Files.write(weights, bytes);
    }
}
