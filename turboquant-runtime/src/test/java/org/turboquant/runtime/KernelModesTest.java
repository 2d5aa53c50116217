package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TurboQuantKernels;

/**
 * The encoder on a 4-bit MiniLM pack with the float table kernels and with the int8 ones ({@link KernelMode}): the
 * switch reaches every 4-bit product, and the two paths' sentence vectors agree within {@link #MIN_COSINE}.
 *
 * <p>Why that bound: the int8 tables round each looked-up value to T/2 (T = the block table's max / 127), a relative
 * RMS error of y of about 1e-2 per product (Int8TableDotTest), against about 1e-1 for the 4-bit weights themselves
 * (relative squared weight error 9.3e-3). Measured over the 617-text corpus on the 4-bit packs of all three built-in
 * models (docs/RESULTS.md, "Float or int8 kernels"), the two paths' vectors have a cosine of at least 0.9973 on every
 * text (MiniLM's worst; these random-token texts: 0.9994), while the 4-bit quantization itself leaves 1 − cos ≈ 0.03.
 * 0.995 allows about twice the worst distance measured; a mistake in the int8 path (a wrong scale or bias, a table
 * of the wrong block or input) gives cosines far below it.
 */
class KernelModesTest {
    static final double MIN_COSINE = 0.995;

    @TempDir
    static Path dir;
    private static TqPack floats, ints;
    private static BertEncoder floatEncoder, intEncoder;
    private static int[][] texts;

    @BeforeAll
    static void load() throws Exception {
        Path onnx = TestModels.onnx(TestModels.MINILM), pack = dir.resolve("minilm-tq4");
        Packer.pack(onnx, pack, PackOptions.defaults().withThreads(2), false, ProgressListener.NONE);
        BertLayout layout;
        try (OnnxModel graph = OnnxModel.open(onnx)) {
            layout = OnnxBertGraph.map(graph);
        }
        floats = TqPack.open(pack, TqPack.Options.defaults().threads(2).kernels(KernelMode.FLOAT));
        ints = TqPack.open(pack, TqPack.Options.defaults().threads(2).kernels(KernelMode.INT8));
        floatEncoder = BertEncoder.fromPack(layout, floats, Pooling.MEAN);
        intEncoder = BertEncoder.fromPack(layout, ints, Pooling.MEAN);
        texts = TestModels.randomTexts(3, 3, 12, 30, 60);
    }

    @AfterAll
    static void close() {
        if (floats != null) floats.close();
        if (ints != null) ints.close();
    }

    @Test
    void theSwitchReachesTheFourBitProducts() {
        long matrices = 0;
        for (String name : floats.names()) {
            if (!floats.tensor(name).quantized() || !floats.tensor(name).transposed()) continue; // MatMul weights
            assertThat(floats.tensor(name).kernel()).as(name).doesNotContain("int8");
            assertThat(ints.tensor(name).kernel()).as(name).contains("kernels int8");
            matrices++;
        }
        assertThat(matrices).as("MiniLM's 36 MatMul weights").isEqualTo(36);
    }

    @Test
    void floatAndInt8PathsAgreeWithinTheBound() {
        float[][] a = floatEncoder.embed(texts, null), b = intEncoder.embed(texts, null);
        boolean int8Runs = TurboQuantKernels.get().withMode(KernelMode.INT8).describe().contains("int8 table kernels (mode int8): 1/2/4-bit");
        for (int i = 0; i < texts.length; i++) {
            double cos = cosine(a[i], b[i]);
            System.out.printf("text %d (%d tokens): cosine float vs int8 kernels %.8f%n", i, texts[i].length, cos);
            assertThat(cos).as("text %d", i).isGreaterThanOrEqualTo(MIN_COSINE);
            // A different product, so not the same bits, wherever the int8 kernels run at all
            if (int8Runs) assertThat(b[i]).as("text %d: the int8 kernels ran", i).isNotEqualTo(a[i]);
        }
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
