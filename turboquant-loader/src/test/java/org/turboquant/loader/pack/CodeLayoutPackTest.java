package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.core.ScalarKernels;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * Version-3 packs (docs/FORMAT.md §19): 1- to 4-bit codes stored in the table kernels' grouped order and multiplied
 * from the mapped file; row-order packs (versions 1 and 2, as older releases wrote them) still read, with the same
 * results bit for bit.
 */
class CodeLayoutPackTest {
    @TempDir Path tmp;

    static final String MLP = "layers.0.mlp.weight";

    /** Packs the test checkpoint with codes in row order, as releases before version 3 did. */
    static void packInRowOrder(Path src, Path out, PackOptions options) throws IOException {
        System.setProperty(TurboQuantEncoder.ROW_ORDER, "true");
        try {
            Packer.pack(src, out, options, false, ProgressListener.NONE);
        } finally {
            System.clearProperty(TurboQuantEncoder.ROW_ORDER);
        }
    }

    @Test
    void aFourBitPackIsVersionThreeWithGroupedCodesMultipliedInPlace() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("p"), PackTest.options(), false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(tmp.resolve("p"), true)) {
            assertThat(pack.manifest().version()).isEqualTo(Manifest.VERSION_CODE_LAYOUT);
            TqTensor mlp = pack.tensor(MLP);
            assertThat(mlp.manifestEntry().codeLayout()).isEqualTo("row_groups_16");
            // 300 rows are not whole 16-row groups: that table stays in row order rather than store padding rows
            assertThat(pack.tensor("embed_tokens.weight").manifestEntry().codeLayout()).isEqualTo("rows");
            assertThat(pack.tensor("embed_tokens.weight").matrix().codeLayout()).isEqualTo(CodeLayout.ROWS);
            QuantizedMatrix m = mlp.matrix();
            assertThat(m.codeLayout()).isEqualTo(CodeLayout.ROW_GROUPS_16);
            assertThat(m.codes().isMapped()).as("the kernels read the mapped file").isTrue();
            try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("p").resolve(Manifest.WEIGHTS_FILE))) {
                // 96 rows = 6 groups; 384 columns = 3 blocks of 128 at 4 bits = 64 bytes per block
                assertThat(f.info(MLP + "#codes").shape()).containsExactly(3, 6, 64, 16);
                assertThat(f.info(MLP + "#scales").shape()).containsExactly(PackTest.ROWS, 3); // scales stay row-major
            }
            float[] x = PackTest.gaussian(new Random(5), PackTest.COLS), y = new float[PackTest.ROWS];
            mlp.matvec(x, y);
            float[] expected = new float[PackTest.ROWS];
            ScalarKernels.gemv(m, x, expected);
            for (int r = 0; r < y.length; r++)
                assertThat(y[r]).isCloseTo(expected[r], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(mlp.dequantize()).containsExactly(ScalarKernels.dequantize(m));
        }
    }

    /** The same checkpoint in row order (version 1) and grouped (version 3): same decode, same products. */
    @Test
    void aRowOrderPackStillReadsAndGivesTheSameBits() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("v3"), PackTest.options(), false, ProgressListener.NONE);
        packInRowOrder(src, tmp.resolve("v1"), PackTest.options());
        try (TqPack v3 = TqPack.open(tmp.resolve("v3"), true); TqPack v1 = TqPack.open(tmp.resolve("v1"), true)) {
            assertThat(v1.manifest().version()).isEqualTo(Manifest.VERSION);
            assertThat(v1.tensor(MLP).manifestEntry().codeLayout()).isNull();
            assertThat(v1.tensor(MLP).matrix().codeLayout()).isEqualTo(CodeLayout.ROWS);
            for (String name : new String[] {MLP, "embed_tokens.weight", "layers.0.attn.weight"}) {
                TqTensor a = v3.tensor(name), b = v1.tensor(name);
                assertThat(a.dequantize()).as(name).containsExactly(b.dequantize());
                float[] x = PackTest.gaussian(new Random(name.length()), 2 * a.cols());
                float[] ya = new float[2 * a.rows()], yb = new float[2 * a.rows()];
                a.matmul(x, 2, ya);
                b.matmul(x, 2, yb);
                assertThat(ya).as(name).containsExactly(yb);
                QuantizedMatrix expected = a.matrix().codeLayout() == CodeLayout.ROWS ? b.matrix()
                        : RowGroupCodes.regroup(b.matrix(), Arena.ofAuto());
                assertThat(a.matrix().codes().toArray(ValueLayout.JAVA_BYTE)).as(name + " codes")
                        .containsExactly(expected.codes().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    /** A mixed-width pack written in row order is version 2 and still reads. */
    @Test
    void aVersionTwoPackStillReads() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        packInRowOrder(src, tmp.resolve("v2"), PackTest.options().withBits(4.5));
        try (TqPack v2 = TqPack.open(tmp.resolve("v2"), true)) {
            assertThat(v2.manifest().version()).isEqualTo(Manifest.VERSION_MIXED);
            TqTensor emb = v2.tensor("embed_tokens.weight");
            assertThat(emb.mixedWidths()).isFalse();
            assertThat(emb.matrix().codeLayout()).isEqualTo(CodeLayout.ROWS);
            float[] x = PackTest.gaussian(new Random(2), emb.cols()), y = new float[emb.rows()], ref = new float[emb.rows()];
            emb.matvec(x, y);
            ScalarKernels.gemv(emb.matrix(), x, ref);
            for (int r = 0; r < y.length; r++) assertThat(y[r]).isCloseTo(ref[r], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    /** An 8-bit pack keeps row order (the row kernels read rows), so it stays version 1. */
    @Test
    void eightBitCodesStayInRowOrder() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("p8"), PackTest.options().withBits(8), false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(tmp.resolve("p8"), true)) {
            assertThat(pack.manifest().version()).isEqualTo(Manifest.VERSION);
            assertThat(pack.tensor(MLP).matrix().codeLayout()).isEqualTo(CodeLayout.ROWS);
        }
    }

    /** The layout is covered by the checksum, an unknown one is refused, and version 1 may not name one. */
    @Test
    void layoutFieldProblemsAreBadInput() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("p"), PackTest.options(), false, ProgressListener.NONE);
        Path manifest = tmp.resolve("p").resolve(Manifest.FILE_NAME);
        String json = Files.readString(manifest);
        Files.writeString(manifest, json.replaceFirst("\"row_groups_16\"", "\"row_groups_32\""));
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("p")).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown code layout 'row_groups_32'");
        Files.writeString(manifest, json.replace("\"version\" : 3", "\"version\" : 1"));
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("p")).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("code_layout needs format version 3");
        Files.writeString(manifest, json.replaceFirst("\"row_groups_16\"", "\"rows\""));
        assertThatThrownBy(() -> TqPack.open(tmp.resolve("p"), true).close()).isInstanceOf(BadInputException.class);
    }
}
