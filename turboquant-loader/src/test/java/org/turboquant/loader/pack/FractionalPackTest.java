package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.ScalarKernels;
import org.turboquant.loader.source.TensorSource;

/** Packs with a fractional --bits: realised rate, look-up tables at the base width, decoding and products. */
class FractionalPackTest {
    @TempDir Path tmp;

    @Test
    void aFractionalRateIsMetOverTheQuantizedTensorsAndTheMatricesGetTheSpareBits() throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        // 4.5: at 4.25 this small checkpoint's spare bits all go to the 64×128 matrix, whose energy is the most
        // concentrated (two zero rows), leaving the MLP uniform
        Packer.Summary s = Packer.pack(src, tmp.resolve("p"), PackTest.options().withBits(4.5), false,
                ProgressListener.NONE);
        // met from below to within one allocation step: the grouped MLP widens a cell (16 rows × 128) at a time,
        // 2048 bits = 0.025 bits per weight of this small checkpoint
        assertThat(s.quantizedBitsPerWeight()).isLessThanOrEqualTo(4.5).isGreaterThan(4.5 - 0.025);
        try (TqPack pack = TqPack.open(tmp.resolve("p"), true); TensorSource source = TensorSource.open(src)) {
            assertThat(pack.manifest().version()).isEqualTo(Manifest.VERSION_CODE_LAYOUT); // the MLP's cells are grouped
            TqTensor embedding = pack.tensor("embed_tokens.weight");
            assertThat(embedding.mixedWidths()).as("a look-up table keeps the base width").isFalse();
            assertThat(embedding.bits()).isEqualTo(4);
            TqTensor mlp = pack.tensor("layers.0.mlp.weight");
            assertThat(mlp.mixedWidths()).isTrue();
            assertThat(mlp.manifestEntry().wideBits()).isEqualTo(5);
            assertThat(mlp.bitsPerWeight()).isGreaterThan(4.3);
            float[] orig = new float[(int) mlp.numel()];
            source.readFloats(source.tensor("layers.0.mlp.weight"), 0, orig, 0, orig.length);
            float[] decoded = mlp.dequantize();
            assertThat(decoded).containsExactly(ScalarKernels.dequantize(mlp.mixedMatrix()));
            double mixedError = PackTest.relativeError(orig, decoded);
            Packer.pack(src, tmp.resolve("u"), PackTest.options(), false, ProgressListener.NONE);
            try (TqPack uniform = TqPack.open(tmp.resolve("u"), false)) {
                assertThat(uniform.manifest().version()).isEqualTo(Manifest.VERSION_CODE_LAYOUT); // its 4-bit 96-row MLP is grouped
                double uniformError = PackTest.relativeError(orig, uniform.tensor("layers.0.mlp.weight").dequantize());
                assertThat(mixedError).isLessThan(uniformError);
            }
            float[] x = PackTest.gaussian(new java.util.Random(3), mlp.cols()), y = new float[mlp.rows()];
            mlp.matvec(x, y);
            float[] expected = new float[mlp.rows()];
            ScalarKernels.gemv(mlp.mixedMatrix(), x, expected);
            for (int r = 0; r < y.length; r++) assertThat(y[r]).isCloseTo(expected[r], org.assertj.core.data.Offset.offset(1e-4f));
            float[] batch = PackTest.gaussian(new java.util.Random(4), 3 * mlp.cols()), yb = new float[3 * mlp.rows()];
            mlp.matmul(batch, 3, yb);
            float[] y1 = new float[mlp.rows()];
            mlp.matvec(java.util.Arrays.copyOfRange(batch, mlp.cols(), 2 * mlp.cols()), y1);
            assertThat(java.util.Arrays.copyOfRange(yb, mlp.rows(), 2 * mlp.rows())).containsExactly(y1);
        }
    }

    @Test
    void rankWeightsNamingATensorThisPackDoesNotRankAreRefusedAndNothingIsWritten() throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        PackOptions o = PackTest.options().withBits(4.5).withRankWeights(java.util.Map.of("model.other.weight", 2.0));
        assertThatThrownBy(() -> Packer.pack(src, tmp.resolve("p"), o, false, ProgressListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.other.weight");
        assertThat(tmp.resolve("p")).doesNotExist();
    }

    @Test
    void sameInputAndRateGiveTheSameBytesAndAFlippedWidthBitIsCaught() throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("a"), PackTest.options().withBits(3.5).withThreads(1), false, ProgressListener.NONE);
        Packer.pack(src, tmp.resolve("b"), PackTest.options().withBits(3.5).withThreads(2), false, ProgressListener.NONE);
        for (String f : List.of(Manifest.WEIGHTS_FILE, Manifest.FILE_NAME))
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        long offset;
        try (TqPack pack = TqPack.open(tmp.resolve("a"), false)) {
            String part = pack.tensor("layers.0.mlp.weight").manifestEntry().parts().get("widths");
            var weights = org.turboquant.loader.safetensors.SafetensorsFile.open(tmp.resolve("a").resolve(Manifest.WEIGHTS_FILE));
            offset = weights.dataStart() + weights.info(part).begin();
            weights.close();
        }
        byte[] bytes = Files.readAllBytes(tmp.resolve("a").resolve(Manifest.WEIGHTS_FILE));
        bytes[(int) offset] ^= 1;
        Files.write(tmp.resolve("a").resolve(Manifest.WEIGHTS_FILE), bytes);
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("a"), true).close()).hasMessageContaining("layers.0.mlp.weight");
    }

    @Test
    void fractionalRulesAndBadRatesAreCheckedUpFront() {
        assertThat(PackOptions.BitsRule.parse("mlp=4.5").bits()).isEqualTo(4.5);
        assertThat(PackOptions.BitsRule.parse("mlp=4.5").label()).isEqualTo("mlp=4.5");
        assertThatThrownBy(() -> PackOptions.BitsRule.parse("mlp=9.5")).hasMessageContaining("rate between 1 and 9");
        assertThatThrownBy(() -> PackOptions.defaults().withBits(4.25).withMethod(Method.RTN))
                .hasMessageContaining("fractional bits need --method turboquant");
        assertThatThrownBy(() -> PackOptions.defaults().withBits(0.5)).hasMessageContaining("got 0.5");
    }
}
