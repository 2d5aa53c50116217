package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.QuantConfig;
import org.turboquant.loader.source.TensorSource;

/** Packs made with the default searched scales decode to core's scalar reference and beat the plain norm. */
class ScaleSearchPackTest {
    @TempDir Path tmp;

    private static final List<String> QUANTIZED = List.of("layers.0.mlp.weight", "embed_tokens.weight", "layers.0.attn.weight");

    @ParameterizedTest
    @ValueSource(doubles = {3, 4, 4.25, 4.5})
    void searchedPacksMatchTheReferenceAndLoseLessThanTheNorm(double bits) throws Exception {
        Path src = PackTest.checkpoint(tmp, 0);
        PackOptions searched = PackOptions.defaults().withThreads(2).withBits(bits);
        assertThat(searched.scaleSearch()).isTrue();
        Packer.pack(src, tmp.resolve("s"), searched, false, ProgressListener.NONE);
        Packer.pack(src, tmp.resolve("n"), searched.withScaleSearch(false), false, ProgressListener.NONE);
        try (TqPack s = TqPack.open(tmp.resolve("s"), true); TqPack n = TqPack.open(tmp.resolve("n"), true);
             TensorSource source = TensorSource.open(src)) {
            assertThat(s.manifest().options()).containsEntry("scale_search", true);
            for (String name : QUANTIZED) {
                TqTensor t = s.tensor(name);
                float[] w = new float[(int) t.numel()];
                source.readFloats(source.tensor(name), 0, w, 0, w.length);
                float[] decoded = t.dequantize();
                float[] ref = reference(w, t, searched);
                for (int i = 0; i < ref.length; i++) // numeric equality: an all-zero block may decode to -0 or 0
                    if (decoded[i] != ref[i]) assertThat(decoded[i]).as(name + " [" + i + "]").isEqualTo(ref[i]);
                double es = PackTest.relativeError(w, decoded), en = PackTest.relativeError(w, n.tensor(name).dequantize());
                assertThat(es).as(name).isLessThan(0.95 * en);
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
                    assertThat((double) y[r]).as(name + " row " + r).isCloseTo(dot, org.assertj.core.data.Offset.offset(2e-5 * mag + 1e-6));
                }
            }
        }
    }

    /** Core's quantizer on the same rows with the pack's per-tensor settings, decoded by the scalar reference. */
    private static float[] reference(float[] w, TqTensor t, PackOptions options) {
        QuantConfig config = options.quantConfig(t.name(), t.bits());
        assertThat(config.scaleSearch()).isTrue();
        return PackReference.decode(w, t, config);
    }
}
