package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.turboquant.core.baseline.BlockFormat;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

class BlockStreamPackTest {
    @TempDir Path tmp;

    /** 150 rows of 99 columns: 64-row chunks end inside super-blocks, so blocks straddle chunk boundaries. */
    static final int ROWS = 150, COLS = 99;

    private Path checkpoint(float[] w) throws IOException {
        Path file = tmp.resolve("model.safetensors");
        try (SafetensorsWriter out = SafetensorsWriter.create(file,
                List.of(TensorSpec.of("embed_tokens.weight", DType.F32, ROWS, COLS)), Map.of())) {
            out.writeFloats(w, 0, w.length);
        }
        return file;
    }

    private static float[] weights() {
        Random rnd = new Random(11);
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian() * 0.05f;
        return w;
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void packHoldsTheInMemoryBlockStream(Method method) throws IOException {
        float[] w = weights();
        Path src = checkpoint(w);
        Path one = tmp.resolve(method.id() + "-1"), two = tmp.resolve(method.id() + "-2");
        Packer.pack(src, one, PackOptions.defaults().withMethod(method).withThreads(1), false, ProgressListener.NONE);
        Packer.pack(src, two, PackOptions.defaults().withMethod(method).withThreads(2), false, ProgressListener.NONE);
        assertThat(Files.readAllBytes(one.resolve(Manifest.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(two.resolve(Manifest.WEIGHTS_FILE)));
        BlockFormat f = method.blockFormat();
        float[] expected = f.quantize(w, ROWS, COLS).dequantize();
        try (TqPack pack = TqPack.open(two, true)) {
            TqTensor t = pack.tensor("embed_tokens.weight");
            assertThat(t.method()).isEqualTo(method);
            assertThat(t.dequantize()).containsExactly(expected);
            Manifest.TensorEntry e = t.manifestEntry();
            assertThat(e.blockSize()).isEqualTo(f.weights());
            assertThat(e.parts()).containsOnlyKeys("blocks");
            long blocks = f.blocks((long) ROWS * COLS);
            assertThat(e.bitsPerWeight()).isCloseTo(8.0 * blocks * f.bytes() / (ROWS * COLS), org.assertj.core.api.Assertions.offset(1e-6));
            float[] x = new float[COLS], y = new float[ROWS];
            for (int c = 0; c < COLS; c++) x[c] = (c % 5) - 2;
            t.matvec(x, y);
            for (int r = 0; r < ROWS; r++) {
                double dot = 0;
                for (int c = 0; c < COLS; c++) dot += (double) expected[r * COLS + c] * x[c];
                assertThat((double) y[r]).isCloseTo(dot, org.assertj.core.api.Assertions.offset(1e-4));
            }
        }
    }

    @Test
    void methodIdsParseAndListInTheError() {
        assertThat(Method.parse("IQ4_XS")).isEqualTo(Method.IQ4_XS);
        assertThat(Method.parse("q4_k").blockFormat()).isEqualTo(BlockFormat.Q4_K);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Method.parse("q2_k"))
                .hasMessageContaining("q4_k").hasMessageContaining("iq4_xs");
    }
}
