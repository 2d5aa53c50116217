package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ScaleSearchTest {

    /** Rows of Gaussian values whose blocks have uneven scales and a few outliers, like real weight rows. */
    private static float[] weights(int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            double scale = 1 + 3 * ((i / 16) % 3) + (rnd.nextInt(50) == 0 ? 8 : 0);
            w[i] = (float) (rnd.nextGaussian() * scale);
        }
        return w;
    }

    private static double blockError(float[] w, float[] d, int from, int to) {
        double e = 0;
        for (int j = from; j < to; j++) e += ((double) w[j] - d[j]) * ((double) w[j] - d[j]);
        return e;
    }

    @ParameterizedTest
    @CsvSource({"1,128,384,hadamard", "2,128,384,hadamard", "3,64,200,hadamard", "4,128,384,hadamard",
            "4,64,384,hadamard", "4,32,96,qr", "4,0,383,qr", "5,128,1536,hadamard", "4,256,383,hadamard"})
    void theSearchNeverIncreasesABlocksError(int bits, int block, int cols, String rotation) {
        int rows = 24;
        float[] w = weights(rows, cols, 1000L * bits + cols);
        QuantConfig plain = new QuantConfig(bits, block, RotationKind.parse(rotation), 5, NormPrecision.F16, false);
        QuantizedMatrix a = MatrixQuantizer.quantize(w, rows, cols, plain);
        QuantizedMatrix b = MatrixQuantizer.quantize(w, rows, cols, plain.withScaleSearch(true));
        float[] da = ScalarKernels.dequantize(a), db = ScalarKernels.dequantize(b);
        int g = a.blockSize();
        double sumA = 0, sumB = 0;
        int better = 0;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < a.layout().blocksPerRow(); k++) {
                int from = r * cols + k * g, to = from + a.layout().blockLength(k);
                double ea = blockError(w, da, from, to), eb = blockError(w, db, from, to);
                assertThat(eb).as("row %d block %d", r, k).isLessThanOrEqualTo(ea);
                if (eb < ea) better++;
                sumA += ea;
                sumB += eb;
            }
        }
        // It must also do something: most blocks improve, and the total clearly (less so at 1 and 2 bits).
        assertThat(better).isGreaterThan(rows * a.layout().blocksPerRow() / 2);
        assertThat(sumB).isLessThan((bits >= 3 ? 0.95 : bits == 2 ? 0.995 : 1.0) * sumA);
    }

    @ParameterizedTest
    @CsvSource({"2,32", "4,64", "4,128", "5,128"})
    void theSweepFindsTheBestScaleOfAFineGrid(int bits, int g) {
        Codebook codebook = Codebook.of(g, bits);
        float[] c = codebook.centroids();
        Random rnd = new Random(bits * 31L + g);
        ScaleSearch search = new ScaleSearch(g);
        float[] r = new float[g];
        for (int trial = 0; trial < 40; trial++) {
            double n = 0;
            for (int j = 0; j < g; j++) {
                r[j] = (float) (rnd.nextGaussian() * (j % 4 == 0 ? 3 : 1));
                n += (double) r[j] * r[j];
            }
            for (int j = 0; j < g; j++) r[j] /= (float) Math.sqrt(n);
            double exact = error(r, c, codebook, search.bestRatio(r, codebook));
            for (double s = ScaleSearch.MIN_RATIO; s <= ScaleSearch.MAX_RATIO; s += 1e-3) {
                assertThat(exact).isLessThanOrEqualTo(error(r, c, codebook, s) + 1e-12);
            }
        }
    }

    /** Σ (r_j − σ·c[q(r_j/σ)])². */
    private static double error(float[] r, float[] c, Codebook codebook, double sigma) {
        double e = 0;
        for (float v : r) {
            double d = v - sigma * c[codebook.quantize(v / sigma)];
            e += d * d;
        }
        return e;
    }

    @Test
    void searchAndNormCorrectionExcludeEachOther() {
        assertThatThrownBy(() -> new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.F16, true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exclude");
    }
}
