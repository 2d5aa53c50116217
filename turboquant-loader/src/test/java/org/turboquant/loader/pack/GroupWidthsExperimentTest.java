package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.ScalarKernels;

/** The off-by-default per-(16-row group × unit) width allocation ({@link MixedTurboQuantEncoder#GROUP_WIDTHS}). */
class GroupWidthsExperimentTest {
    @TempDir Path tmp;

    @Test
    void widthsComeInWholeGroupCellsAndTheRateIsUnchanged() throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        Packer.pack(src, tmp.resolve("rows"), PackTest.options().withBits(4.5), false, ProgressListener.NONE);
        System.setProperty(MixedTurboQuantEncoder.GROUP_WIDTHS, "true");
        try {
            Packer.pack(src, tmp.resolve("groups"), PackTest.options().withBits(4.5), false, ProgressListener.NONE);
        } finally {
            System.clearProperty(MixedTurboQuantEncoder.GROUP_WIDTHS);
        }
        try (TqPack rows = TqPack.open(tmp.resolve("rows"), true); TqPack groups = TqPack.open(tmp.resolve("groups"), true)) {
            int split = 0, cells = 0;
            for (TqTensor t : groups.tensors()) {
                if (!t.mixedWidths()) continue;
                assertThat(t.manifestEntry().wideUnits()).isEqualTo(rows.tensor(t.name()).manifestEntry().wideUnits());
                MixedLayout l = t.mixedMatrix().layout();
                int tensorSplit = 0;
                for (int g0 = 0; g0 < l.rows(); g0 += 16)
                    for (int u = 0; u < l.unitsPerRow(); u++, cells++) {
                        int wide = 0, n = Math.min(16, l.rows() - g0);
                        for (int r = g0; r < g0 + n; r++) if (l.isWide(r, u)) wide++;
                        if (wide != 0 && wide != n) tensorSplit++;
                    }
                assertThat(tensorSplit).as(t.name()).isLessThanOrEqualTo(1);
                split += tensorSplit;
                float[] x = PackTest.gaussian(new java.util.Random(1), t.cols()), y = new float[t.rows()], ref = new float[t.rows()];
                t.matvec(x, y);
                ScalarKernels.gemv(t.mixedMatrix(), x, ref);
                for (int r = 0; r < y.length; r++) assertThat(y[r]).isCloseTo(ref[r], org.assertj.core.data.Offset.offset(1e-4f));
            }
            assertThat(cells).isGreaterThan(0);
            assertThat(split).isLessThan(cells);
            assertThat(groups.manifest().totals().quantizedBitsPerWeight())
                    .isEqualTo(rows.manifest().totals().quantizedBitsPerWeight());
        }
    }
}
