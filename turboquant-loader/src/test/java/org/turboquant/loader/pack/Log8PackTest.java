package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.loader.source.TensorSource;

/**
 * Packs with log8 block scales (one byte per block under a per-tensor unit carried by the centroids): they decode to
 * core's scalar reference, the fused kernels multiply them as they decode, and at uniform widths they cost one byte
 * per block less than f16 for nearly the same error (at fractional rates the pack stays within its rate; the error of
 * one tensor is not compared, since the saved bytes go wherever the cross-tensor budget ranks them).
 */
class Log8PackTest {
    @TempDir Path tmp;

    private static final List<String> QUANTIZED = List.of("layers.0.mlp.weight", "embed_tokens.weight", "layers.0.attn.weight");

    @ParameterizedTest
    @ValueSource(doubles = {3, 4, 4.25, 4.5})
    void log8PacksMatchTheReferenceAndTheKernels(double bits) throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        PackOptions f16 = PackOptions.defaults().withThreads(2).withBits(bits);
        PackOptions log8 = f16.withNorm(NormPrecision.LOG8, false);
        Packer.Summary sl = Packer.pack(src, tmp.resolve("l"), log8, false, ProgressListener.NONE);
        Packer.Summary sf = Packer.pack(src, tmp.resolve("f"), f16, false, ProgressListener.NONE);
        try (TqPack l = TqPack.open(tmp.resolve("l"), true); TqPack f = TqPack.open(tmp.resolve("f"), true);
             TensorSource source = TensorSource.open(src)) {
            assertThat(l.manifest().options()).containsEntry("norm", "log8");
            long smaller = 0, weights = 0;
            for (String name : QUANTIZED) {
                TqTensor t = l.tensor(name);
                assertThat(t.manifestEntry().normDtype()).isEqualTo("log8");
                float[] w = new float[(int) t.numel()];
                source.readFloats(source.tensor(name), 0, w, 0, w.length);
                float[] decoded = t.dequantize();
                float[] ref = reference(w, t, log8);
                for (int i = 0; i < ref.length; i++) // numeric equality: an all-zero block may decode to -0 or 0
                    if (decoded[i] != ref[i]) assertThat(decoded[i]).as(name + " [" + i + "]").isEqualTo(ref[i]);
                double el = PackTest.relativeError(w, decoded), ef = PackTest.relativeError(w, f.tensor(name).dequantize());
                // uniform widths: the same codes but for the scale rounding. Fractional: the bytes saved buy wide
                // 16-row cells wherever the budget ranks them across tensors, so one tensor's error may go either way
                if (bits == Math.rint(bits)) assertThat(el).as(name).isLessThan(1.05 * ef);
                matvecMatchesTheDecodedWeights(t, decoded);
                smaller += t.rows() * ((t.cols() + 127) / 128);
                weights += t.numel();
            }
            // one byte per block less (a fractional pack spends it on wide units, so only the uniform sizes compare)
            if (bits == Math.rint(bits))
                assertThat(sf.quantizedBitsPerWeight() - sl.quantizedBitsPerWeight())
                        .isCloseTo(8.0 * smaller / weights, org.assertj.core.data.Offset.offset(1e-9));
            else
                assertThat(sl.quantizedBitsPerWeight()).isLessThanOrEqualTo(bits);
        }
    }

    private static void matvecMatchesTheDecodedWeights(TqTensor t, float[] decoded) {
        float[] x = new float[t.cols()], y = new float[t.rows()];
        Random rnd = new Random(3);
        for (int j = 0; j < x.length; j++) x[j] = (float) rnd.nextGaussian();
        t.matvec(x, y);
        for (int r = 0; r < t.rows(); r++) {
            double dot = 0, mag = 0;
            for (int j = 0; j < x.length; j++) {
                dot += (double) decoded[r * t.cols() + j] * x[j];
                mag += Math.abs((double) decoded[r * t.cols() + j] * x[j]);
            }
            assertThat((double) y[r]).as(t.name() + " row " + r).isCloseTo(dot, org.assertj.core.data.Offset.offset(2e-5 * mag + 1e-6));
        }
    }

    /** Core's quantizer with the pack's settings, its log8 unit fitted to the whole tensor as the packer does. */
    private static float[] reference(float[] w, TqTensor t, PackOptions options) {
        QuantConfig config = options.quantConfig(t.name(), t.bits()).fittedTo(w, w.length, t.cols());
        assertThat(config.scaleUnit()).isNotEqualTo(1f);
        return PackReference.decode(w, t, config);
    }
}
