package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TEMP: the WeightMatrix shim on TqTensor (replaced by the api branch) agrees with dequantize(). */
class WeightMatrixShimTest {
    @TempDir Path tmp;

    @Test
    void matmulWithOffsetsBiasAndAccumulateMatchesTheDequantizedMatrix() throws IOException {
        Path src = PackTest.checkpoint(tmp, 0);
        PackOptions o = PackTest.options().withKeep(Pattern.compile("attn"), java.util.List.of(), false);
        Packer.pack(src, tmp.resolve("pack"), o, false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(tmp.resolve("pack"))) {
            for (String name : new String[] {"layers.0.mlp.weight", "layers.0.attn.weight"}) {
                WeightMatrix w = pack.tensor(name);
                int rows = w.rows(), cols = w.cols(), batch = 3;
                float[] dense = pack.tensor(name).dequantize();
                Random rnd = new Random(3);
                float[] x = new float[5 + batch * cols], y = new float[2 + batch * rows], bias = new float[rows];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                for (int i = 0; i < y.length; i++) y[i] = (float) rnd.nextGaussian();
                for (int i = 0; i < rows; i++) bias[i] = (float) rnd.nextGaussian();
                float[] before = y.clone();
                w.matmul(x, 5, batch, y, 2, bias, true);
                for (int b = 0; b < batch; b++)
                    for (int r = 0; r < rows; r++) {
                        double s = before[2 + b * rows + r] + bias[r];
                        for (int c = 0; c < cols; c++) s += dense[r * cols + c] * x[5 + b * cols + c];
                        assertThat(y[2 + b * rows + r]).as(name).isCloseTo((float) s, within(2e-3f));
                    }
                float[] row = new float[cols + 1];
                w.row(rows - 1, row, 1);
                for (int c = 0; c < cols; c++) assertThat(row[1 + c]).isCloseTo(dense[(rows - 1) * cols + c], within(1e-5f));
            }
        }
    }
}
