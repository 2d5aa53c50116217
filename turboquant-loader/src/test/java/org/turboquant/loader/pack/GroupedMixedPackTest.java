package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedGroupCodes;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.ScalarKernels;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import org.turboquant.loader.source.TensorSource;

/**
 * Fractional packs write mixed-width tensors in {@code mixed_row_groups_16} (docs/FORMAT.md §19) when their shape
 * and widths allow, multiplied from the mapped file without a copy; other shapes and widths keep row order; row-order
 * packs (version 2) still read; an inconsistent layout is refused in one line naming the tensor.
 */
class GroupedMixedPackTest {
    @TempDir Path tmp;

    /** rows × cols of each matrix: whole 16-row groups (one with a ragged last block), a ragged row count. */
    static final Map<String, int[]> SHAPES = Map.of(
            "layers.0.q.weight", new int[] {48, 256},
            "layers.0.odd.weight", new int[] {40, 256},
            "layers.0.up.weight", new int[] {64, 1000},
            "layers.0.mid.weight", new int[] {64, 1024},
            "layers.1.big.weight", new int[] {256, 2048});
    static final List<String> NAMES = List.of("layers.0.q.weight", "layers.0.odd.weight", "layers.0.up.weight",
            "layers.0.mid.weight", "layers.1.big.weight");
    /** A rate per tensor, each its own budget, so that every one comes out mixed: 5/6, 2/3, 4/5, 2/3, 3/4 bits. */
    static final String[] RULES = {"q=5.5", "odd=2.5", "up=4.4", "mid=2.4", "big=3.25"};

    /** The matrices above, each row scaled differently so that the energy ranking has something to rank. */
    static Path checkpoint(Path dir) throws IOException {
        Random rnd = new Random(11);
        Path file = dir.resolve("model.safetensors");
        List<TensorSpec> specs = NAMES.stream().map(n -> TensorSpec.of(n, DType.F32, SHAPES.get(n)[0], SHAPES.get(n)[1])).toList();
        try (SafetensorsWriter out = SafetensorsWriter.create(file, specs, Map.of())) {
            for (String n : NAMES) {
                int rows = SHAPES.get(n)[0], cols = SHAPES.get(n)[1];
                float[] w = PackTest.gaussian(rnd, rows * cols);
                for (int i = 0; i < w.length; i++) w[i] *= 1 + (i / cols) % 7 + (i % cols < 128 ? 2 : 0);
                out.writeFloats(w, 0, w.length);
            }
        }
        return file;
    }

    static PackOptions options(double bits, String... rules) {
        return PackTest.options().withBits(bits)
                .withKeep(null, java.util.Arrays.stream(rules).map(PackOptions.BitsRule::parse).toList(), false);
    }

    /** Products and decode of every tensor against core's scalar reference; GEMM rows equal GEMV bit for bit. */
    static void checkAgainstTheReference(TqTensor t) {
        MixedQuantizedMatrix m = t.mixedMatrix();
        Random rnd = new Random(t.name().length());
        float[] x = PackTest.gaussian(rnd, t.cols()), y = new float[t.rows()], ref = new float[t.rows()];
        t.matvec(x, y);
        ScalarKernels.gemv(m, x, ref);
        float scale = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int r = 0; r < y.length; r++) assertThat(y[r]).as(t.name() + " row " + r).isCloseTo(ref[r], Offset.offset(1e-5f * scale + 1e-6f));
        float[] batch = PackTest.gaussian(rnd, 3 * t.cols()), yb = new float[3 * t.rows()], y2 = new float[t.rows()];
        t.matmul(batch, 3, yb);
        t.matvec(java.util.Arrays.copyOfRange(batch, 2 * t.cols(), 3 * t.cols()), y2);
        assertThat(java.util.Arrays.copyOfRange(yb, 2 * t.rows(), 3 * t.rows())).as(t.name()).isEqualTo(y2);
        assertSameValues(t.dequantize(), ScalarKernels.dequantize(m), t.name());
    }

    /** Numeric equality, element by element (an all-zero block may decode to -0 or 0); linear, unlike containsExactly. */
    static void assertSameValues(float[] actual, float[] expected, String what) {
        assertThat(actual.length).as(what).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++)
            if (actual[i] != expected[i]) assertThat(actual[i]).as(what + " [" + i + "]").isEqualTo(expected[i]);
    }

    @Test
    void fractionalRatesWriteGroupedCellsWhereTheShapeAndWidthsAllowAndMultiplyThemInPlace() throws Exception {
        Path src = checkpoint(tmp);
        // grouped: 4/5 with a ragged last block, 2/3, 3/4; row order: 40 rows (no whole groups), and 5/6 (no 16-row
        // kernel for 6-bit cells)
        PackOptions options = options(4.25, RULES);
        Packer.pack(src, tmp.resolve("p"), options, false, ProgressListener.NONE);
        Map<String, String> expectedLayout = Map.of("layers.0.q.weight", "rows", "layers.0.odd.weight", "rows",
                "layers.0.up.weight", "mixed_row_groups_16", "layers.0.mid.weight", "mixed_row_groups_16",
                "layers.1.big.weight", "mixed_row_groups_16");
        Map<String, Integer> expectedWide = Map.of("layers.0.q.weight", 6, "layers.0.odd.weight", 3,
                "layers.0.up.weight", 5, "layers.0.mid.weight", 3, "layers.1.big.weight", 4);
        try (TqPack pack = TqPack.open(tmp.resolve("p"), true); TensorSource source = TensorSource.open(src)) {
            assertThat(pack.manifest().version()).isEqualTo(Manifest.VERSION_CODE_LAYOUT);
            for (String name : NAMES) {
                TqTensor t = pack.tensor(name);
                assertThat(t.mixedWidths()).as(name).isTrue();
                Manifest.TensorEntry e = t.manifestEntry();
                assertThat(e.wideBits()).as(name).isEqualTo(expectedWide.get(name));
                String layout = expectedLayout.get(name);
                // a row-order mixed tensor names no layout, so readers that know only row-order mixed tensors take it
                assertThat(e.codeLayout()).as(name).isEqualTo(layout.equals("rows") ? null : layout);
                MixedQuantizedMatrix m = t.mixedMatrix();
                assertThat(m.codeLayout().id()).as(name).isEqualTo(layout);
                assertThat(m.codes().isMapped()).as(name + ": the kernels read the mapped file").isTrue();
                if (m.grouped()) {
                    assertThat(e.wideUnits() % 16).as(name + ": wide units come in whole cells").isZero();
                    assertThat(m.layout().groupUniform()).isTrue();
                    // the stored cells are exactly core's grouped quantizer's on the same rows (scales searched as the pack's)
                    float[] w = new float[(int) t.numel()];
                    source.readFloats(source.tensor(name), 0, w, 0, w.length);
                    MixedQuantizedMatrix expected = MixedMatrixQuantizer.quantizeGrouped(w, t.rows(), t.cols(),
                            options.quantConfig(name, t.bits()), e.wideBits(), e.wideUnits() / 16);
                    assertThat(m.layout()).isEqualTo(expected.layout());
                    assertThat(m.codes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                            .isEqualTo(expected.codes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    // lossless: the same matrix in row order decodes to the same weights
                    assertSameValues(ScalarKernels.dequantize(MixedGroupCodes.ungroup(m, java.lang.foreign.Arena.ofAuto())),
                            ScalarKernels.dequantize(m), name + " in row order");
                }
                checkAgainstTheReference(t);
            }
            // the budget still holds over all four rates' tensors: each is met from below
            assertThat(pack.tensor("layers.1.big.weight").bitsPerWeight()).isLessThanOrEqualTo(3.25);
        }
    }

    /**
     * The first products and row look-ups build no row-order copy of a grouped tensor's codes: the kernels keep such a
     * copy with the matrix under the row kernels' class as key ({@code PanamaKernels.rowOrder}), and none is there.
     */
    @Test
    void aGroupedTensorIsMultipliedWithoutACopyOfItsCodes() throws Exception {
        Path src = checkpoint(tmp);
        Packer.pack(src, tmp.resolve("p"), options(4.25, RULES), false, ProgressListener.NONE);
        Class<?> copyKey = Class.forName("org.turboquant.simd.panama.MixedRowKernels");
        try (TqPack pack = TqPack.open(tmp.resolve("p"), true)) {
            TqTensor big = pack.tensor("layers.1.big.weight");
            MixedQuantizedMatrix m = big.mixedMatrix();
            assertThat(m.grouped()).isTrue();
            assertThat(big.kernel()).contains("panama-512");
            float[] x = PackTest.gaussian(new Random(1), big.cols()), y = new float[big.rows()], row = new float[big.cols()];
            big.prepare();
            big.matvec(x, y);
            big.matmul(PackTest.gaussian(new Random(2), 4 * big.cols()), 4, new float[4 * big.rows()]);
            big.row(17, row, 0);
            assertThat(m.derived(copyKey, MixedQuantizedMatrix.class, k -> null)).as("a row-order copy").isNull();
            assertThat(m.codes().isMapped()).isTrue();
            float[] all = big.dequantize();
            assertThat(java.util.Arrays.copyOfRange(all, 17 * big.cols(), 18 * big.cols())).isEqualTo(row);
        }
    }

    /** -Dturboquant.pack.rowOrder=true writes what version 2 wrote (widths per row × unit); that pack still reads. */
    @Test
    void aRowOrderMixedPackStillReadsAndMultiplies() throws Exception {
        Path src = checkpoint(tmp);
        CodeLayoutPackTest.packInRowOrder(src, tmp.resolve("v2"), options(4.25, RULES));
        try (TqPack pack = TqPack.open(tmp.resolve("v2"), true)) {
            assertThat(pack.manifest().version()).isEqualTo(Manifest.VERSION_MIXED);
            int split = 0;
            for (String name : NAMES) {
                TqTensor t = pack.tensor(name);
                assertThat(t.manifestEntry().codeLayout()).isNull();
                assertThat(t.mixedMatrix().codeLayout()).isEqualTo(CodeLayout.ROWS);
                if (!t.mixedMatrix().layout().groupUniform()) split++;
                checkAgainstTheReference(t);
            }
            assertThat(split).as("per-row widths, as version 2 chose them").isPositive();
        }
    }

    @Test
    void anInconsistentLayoutIsRefusedInOneLineNamingTheTensor() throws Exception {
        Path src = checkpoint(tmp);
        Packer.pack(src, tmp.resolve("p"), options(4.25, RULES), false, ProgressListener.NONE);
        String name = "layers.0.up.weight";
        Path manifest = tmp.resolve("p").resolve(Manifest.FILE_NAME), weights = tmp.resolve("p").resolve(Manifest.WEIGHTS_FILE);
        String json = Files.readString(manifest);
        byte[] original = Files.readAllBytes(weights);

        // a mixed tensor named with the uniform grouped id
        Files.writeString(manifest, json.replaceFirst("\"mixed_row_groups_16\"", "\"row_groups_16\""));
        assertOneLineRefusal("is for one-width tensors");
        Files.writeString(manifest, json);

        // a width map that gives one row of a cell another width (same number of wide units, so only the layout check sees it)
        long mapAt;
        MixedLayout layout;
        try (TqPack pack = TqPack.open(tmp.resolve("p"), false); SafetensorsFile f = SafetensorsFile.open(weights)) {
            layout = pack.tensor(name).mixedMatrix().layout();
            mapAt = f.dataStart() + f.info(pack.tensor(name).manifestEntry().parts().get("widths")).begin();
        }
        int wideUnit = -1, narrowUnit = -1, perRow = layout.unitsPerRow();
        for (int u = 0; u < perRow; u++) {
            if (layout.isWide(0, u) && wideUnit < 0) wideUnit = u;
            if (!layout.isWide(0, u) && narrowUnit < 0) narrowUnit = u;
        }
        assertThat(wideUnit).as("row 0 has a wide and a narrow block").isNotNegative();
        assertThat(narrowUnit).isNotNegative();
        byte[] edited = original.clone();
        flip(edited, mapAt, 1 * perRow + wideUnit); // row 1 of the cell loses its wide block...
        flip(edited, mapAt, 1 * perRow + narrowUnit); // ...and gains another
        Files.write(weights, edited);
        assertOneLineRefusal("needs one width per 16-row group and block");
        assertOneLineRefusal("row 1 block");
        Files.write(weights, original);
        try (TqPack pack = TqPack.open(tmp.resolve("p"), true)) {
            checkAgainstTheReference(pack.tensor(name)); // restored: reads again
        }
    }

    @Test
    void theMixedIdOnAOneWidthTensorIsRefused() throws Exception {
        Path src = checkpoint(tmp);
        Packer.pack(src, tmp.resolve("p"), PackTest.options(), false, ProgressListener.NONE);
        Path manifest = tmp.resolve("p").resolve(Manifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"row_groups_16\"", "\"mixed_row_groups_16\""));
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("p"), false).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("is for mixed-width tensors").hasMessageNotContaining("\n");
    }

    private static void flip(byte[] bytes, long mapAt, int unit) {
        bytes[Math.toIntExact(mapAt + unit / 8)] ^= (byte) (1 << (unit % 8));
    }

    private void assertOneLineRefusal(String fragment) {
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("p"), false).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("layers.0.up.weight").hasMessageContaining(fragment).hasMessageNotContaining("\n");
    }
}
