package org.turboquant.loader.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.Fp8;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * FP8 weights with their {@code NAME_scale_inv} companions, read as a {@link TensorSource}: each element is the FP8
 * value times the scale of its block, the scales themselves are never quantized, and scale shapes that do not tile
 * the weight are refused naming the scale tensor.
 */
class Fp8SourceTest {
    @TempDir Path tmp;

    /** One FP8 tensor and optionally its scales, for the file {@link #write} makes. */
    record Fp8Tensor(String name, DType dtype, long[] shape, byte[] codes, long[] scaleShape, float[] scales) {}

    @Test
    void blockScalesMultiplyEachElementByItsBlocksScale() throws IOException {
        // 200 × 300 with 128-blocks: a 2 × 3 grid whose last row and column of blocks are partial
        Fp8Tensor w = fp8("layers.0.q_proj.weight", DType.F8_E4M3, 200, 300, new long[] {2, 3},
                new float[] {0.5f, 2f, 0.25f, 3f, 1e-3f, 8f});
        Path file = write(List.of(w));
        try (TensorSource source = TensorSource.open(file)) {
            SourceTensor t = source.tensor(w.name());
            float[] all = new float[200 * 300];
            source.readFloats(t, 0, all, 0, all.length);
            for (int r = 0; r < 200; r++)
                for (int c = 0; c < 300; c++) {
                    float scale = w.scales()[(r / 128) * 3 + c / 128];
                    assertThat(all[r * 300 + c]).as("[%d, %d]", r, c)
                            .isEqualTo(Fp8.e4m3ToFloat(w.codes()[r * 300 + c]) * scale);
                }
            float[] part = new float[500]; // a range that starts mid-row and crosses a block boundary
            source.readFloats(t, 127L * 300 + 299, part, 0, part.length);
            assertThat(part).containsExactly(java.util.Arrays.copyOfRange(all, 127 * 300 + 299, 127 * 300 + 799));
            assertThat(source.tensor(w.name() + "_scale_inv").usage()).as("scales are kept, never quantized").isEqualTo(Usage.OTHER);
            assertThat(t.usage()).isEqualTo(Usage.LINEAR_WEIGHT);
        }
    }

    @Test
    void blocksOtherThan128AreRecoveredFromTheShapesAndOneScaleCoversAWholeTensor() throws IOException {
        Fp8Tensor odd = fp8("a.weight", DType.F8_E5M2, 100, 60, new long[] {4, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        Fp8Tensor single = fp8("b.weight", DType.F8_E4M3, 64, 128, new long[] {1}, new float[] {0.125f});
        Fp8Tensor bare = fp8("c.weight", DType.F8_E4M3, 64, 128, null, null);
        try (TensorSource source = TensorSource.open(write(List.of(odd, single, bare)))) {
            float[] a = read(source, odd);
            for (int i = 0; i < a.length; i++) { // blocks of 25 rows and 30 columns
                int r = i / 60, c = i % 60;
                assertThat(a[i]).isEqualTo(Fp8.e5m2ToFloat(odd.codes()[i]) * odd.scales()[(r / 25) * 2 + c / 30]);
            }
            float[] b = read(source, single), c = read(source, bare);
            for (int i = 0; i < b.length; i++) {
                assertThat(b[i]).isEqualTo(Fp8.e4m3ToFloat(single.codes()[i]) * 0.125f);
                assertThat(c[i]).isEqualTo(Fp8.e4m3ToFloat(bare.codes()[i]));
            }
        }
    }

    @Test
    void scalesThatDoNotFitAreBadInputNamingTheScaleTensor() throws IOException {
        Fp8Tensor tooMany = fp8("w", DType.F8_E4M3, 4, 300, new long[] {5, 3}, new float[15]);
        assertThatThrownBy(() -> TensorSource.open(write(List.of(tooMany))).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'w_scale_inv'").hasMessageContaining("do not tile");
        Fp8Tensor flat = fp8("w", DType.F8_E4M3, 4, 300, new long[] {6}, new float[6]);
        assertThatThrownBy(() -> TensorSource.open(write(List.of(flat))).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'w_scale_inv'").hasMessageContaining("2-D blocks expected");
    }

    static Fp8Tensor fp8(String name, DType dtype, int rows, int cols, long[] scaleShape, float[] scales) {
        Random rnd = new Random(name.hashCode());
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) {
            byte b;
            do b = (byte) rnd.nextInt(256); while (!Float.isFinite(dtype == DType.F8_E4M3 ? Fp8.e4m3ToFloat(b) : Fp8.e5m2ToFloat(b))
                    || Math.abs(dtype == DType.F8_E4M3 ? Fp8.e4m3ToFloat(b) : Fp8.e5m2ToFloat(b)) > 16);
            codes[i] = b;
        }
        return new Fp8Tensor(name, dtype, new long[] {rows, cols}, codes, scaleShape, scales);
    }

    /** A safetensors file of the tensors, each followed by its F32 {@code _scale_inv} when it has scales. */
    Path write(List<Fp8Tensor> tensors) throws IOException {
        Path file = tmp.resolve("fp8-" + System.nanoTime() + ".safetensors");
        List<TensorSpec> specs = new ArrayList<>();
        for (Fp8Tensor t : tensors) {
            specs.add(TensorSpec.of(t.name(), t.dtype(), t.shape()));
            if (t.scales() != null) specs.add(TensorSpec.of(t.name() + "_scale_inv", DType.F32, t.scaleShape()));
        }
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of())) {
            for (Fp8Tensor t : tensors) {
                w.write(t.codes(), 0, t.codes().length);
                if (t.scales() != null) w.writeFloats(t.scales(), 0, t.scales().length);
            }
        }
        return file;
    }

    private static float[] read(TensorSource source, Fp8Tensor t) {
        float[] out = new float[t.codes().length];
        source.readFloats(source.tensor(t.name()), 0, out, 0, out.length);
        return out;
    }
}
