package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import org.turboquant.simd.ScalarTurboQuantKernels;

/**
 * The {@link WeightMatrix} contract on every stored method, against a scalar loop over {@link TqTensor#dequantize()}:
 * matvec/matmul with offsets, bias and accumulate on float[] and on MemorySegment, row look-up, the argument checks,
 * and thread counts / a caller's executor giving the same bits. The decoded matrix itself is checked against the
 * scalar reference (TurboQuant) or the source (kept), and to be near the source for every method, so the products
 * are not compared with a broken decoder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WeightMatrixContractTest {
    /** Quantized: a groupable 48 × 256 (whole 16-row groups, cols a multiple of 32) and an odd 37 × 200. */
    private static final String EVEN = "layers.0.mlp.weight", ODD = "layers.1.mlp.weight";
    private static final String K_F32 = "keep.f32.weight", K_F16 = "keep.f16.weight", K_BF16 = "keep.bf16.weight";
    private static final String BIAS = "layers.0.norm.bias", IDS = "keep.ids.weight";

    @TempDir static Path tmp;
    private Path checkpoint;
    private final Map<String, float[]> source = new java.util.HashMap<>();
    private final List<TqPack> open = new ArrayList<>();
    private int packsWritten;

    @BeforeAll
    void writeCheckpoint() throws IOException {
        Random rnd = new Random(41);
        List<TensorSpec> specs = List.of(
                TensorSpec.of(EVEN, DType.F32, 48, 256), TensorSpec.of(ODD, DType.F32, 37, 200),
                TensorSpec.of(K_F32, DType.F32, 20, 72), TensorSpec.of(K_F16, DType.F16, 21, 40),
                TensorSpec.of(K_BF16, DType.BF16, 19, 56), TensorSpec.of(BIAS, DType.F32, 48),
                TensorSpec.of(IDS, DType.I32, 4, 8));
        checkpoint = tmp.resolve("model.safetensors");
        try (SafetensorsWriter out = SafetensorsWriter.create(checkpoint, specs, Map.of())) {
            for (TensorSpec s : specs) {
                if (s.dtype() == DType.I32) {
                    out.write(new byte[4 * 32], 0, 4 * 32);
                    continue;
                }
                float[] v = PackTest.gaussian(rnd, Math.toIntExact(org.turboquant.loader.safetensors.Shapes.numel(s.shape())));
                out.writeFloats(v, 0, v.length);
                source.put(s.name(), v);
            }
        }
    }

    @AfterAll
    void closePacks() {
        open.forEach(TqPack::close);
    }

    /** Every method of the pack format; 1- to 4-bit uniform TurboQuant both grouped (v3) and row order (v1). */
    Stream<Arguments> methods() {
        List<Arguments> a = new ArrayList<>();
        for (int bits = 1; bits <= 8; bits++) a.add(Arguments.of("turboquant " + bits + "-bit", Method.TURBOQUANT, bits, false));
        for (int bits = 1; bits <= 4; bits++) a.add(Arguments.of("turboquant " + bits + "-bit row order", Method.TURBOQUANT, bits, true));
        a.add(Arguments.of("turboquant 4.25", Method.TURBOQUANT, 4.25, false));
        a.add(Arguments.of("q4_0", Method.Q4_0, 4, false));
        a.add(Arguments.of("q8_0", Method.Q8_0, 8, false));
        a.add(Arguments.of("rtn 3-bit", Method.RTN, 3, false));
        a.add(Arguments.of("q4_k", Method.Q4_K, 4, false));
        a.add(Arguments.of("iq4_xs", Method.IQ4_XS, 4, false));
        return a.stream();
    }

    private TqPack pack(Method method, double bits, boolean rowOrder, TqPack.Options options) throws IOException {
        Path dir = tmp.resolve(method.id() + "-" + bits + (rowOrder ? "-rows" : "") + "-" + packsWritten++);
        PackOptions o = PackOptions.defaults().withThreads(2).withMethod(method).withBits(bits)
                .withKeep(Pattern.compile("^keep\\."), List.of(), false);
        if (rowOrder) System.setProperty(TurboQuantEncoder.ROW_ORDER, "true");
        try {
            Packer.pack(checkpoint, dir, o, false, ProgressListener.NONE);
        } finally {
            System.clearProperty(TurboQuantEncoder.ROW_ORDER);
        }
        TqPack p = TqPack.open(dir, options);
        open.add(p);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void everyProductMatchesTheDecodedMatrix(String label, Method method, double bits, boolean rowOrder) throws IOException {
        TqPack p = pack(method, bits, rowOrder, TqPack.Options.defaults());
        if (method == Method.TURBOQUANT && bits <= 4)
            assertThat(p.manifest().version()).as("format version").isEqualTo(rowOrder ? 1 : 3);
        if (bits == 4.25) assertThat(p.tensor(EVEN).mixedWidths()).isTrue();
        for (String name : List.of(EVEN, ODD, K_F32, K_F16, K_BF16)) {
            TqTensor t = p.tensor(name);
            assertThat(t.quantized()).as(name).isEqualTo(!name.startsWith("keep."));
            float[] w = t.dequantize();
            checkDecoded(t, w);
            checkProducts(t, w);
        }
    }

    /** The decoded matrix is the scalar reference's (TurboQuant), the source's (kept), and near the source (all). */
    private void checkDecoded(TqTensor t, float[] w) {
        float[] src = source.get(t.name());
        assertThat(w).hasSize(src.length);
        if (!t.quantized()) {
            for (int i = 0; i < w.length; i++)
                assertThat(w[i]).as(t.name()).isEqualTo(roundTo(t.manifestEntry().dtype(), src[i]));
        } else {
            double err = 0, energy = 0;
            for (int i = 0; i < w.length; i++) {
                err += (w[i] - src[i]) * (double) (w[i] - src[i]);
                energy += src[i] * (double) src[i];
            }
            double bound = t.bits() == 1 ? 0.9 : 0.6; // 1-bit codes keep the sign and a scale; wider ones much more
            assertThat(Math.sqrt(err / energy)).as(t.name() + " relative RMS error").isLessThan(bound);
        }
        ScalarTurboQuantKernels scalar = new ScalarTurboQuantKernels();
        QuantizedMatrix q = t.matrix();
        MixedQuantizedMatrix mq = t.mixedMatrix();
        if (q == null && mq == null) return;
        float[] ref = new float[t.cols()];
        for (int r = 0; r < t.rows(); r++) {
            if (q != null) scalar.dequantizeRow(q, r, ref, 0);
            else scalar.dequantizeRow(mq, r, ref, 0);
            for (int c = 0; c < t.cols(); c++)
                assertThat(w[r * t.cols() + c]).as(t.name() + " [" + r + "," + c + "]").isEqualTo(ref[c]);
        }
    }

    private static float roundTo(String dtype, float v) {
        return switch (dtype) {
            case "F16" -> Float.float16ToFloat(Float.floatToFloat16(v));
            case "BF16" -> org.turboquant.loader.safetensors.FloatCodec.bf16ToFloat(org.turboquant.loader.safetensors.FloatCodec.floatToBf16(v));
            default -> v;
        };
    }

    private void checkProducts(TqTensor t, float[] w) {
        int rows = t.rows(), cols = t.cols(), batch = 3, xOff = 5, yOff = 2;
        Random rnd = new Random(rows * 31L + cols);
        float[] x = gaussian(rnd, xOff + batch * cols + 4), bias = gaussian(rnd, rows), y0 = gaussian(rnd, yOff + batch * rows + 3);

        // matvec, overwrite and accumulate, with and without bias
        for (boolean accumulate : new boolean[] {false, true}) {
            for (float[] b : new float[][] {null, bias}) {
                float[] y = y0.clone();
                t.matvec(x, xOff, y, yOff, b, accumulate);
                expect(t, w, x, xOff, 1, y0, y, yOff, b, accumulate);
            }
        }
        // matmul on arrays
        float[] y = y0.clone();
        t.matmul(x, xOff, batch, y, yOff, bias, true);
        expect(t, w, x, xOff, batch, y0, y, yOff, bias, true);
        // the exact-length forms
        float[] xe = java.util.Arrays.copyOfRange(x, xOff, xOff + cols), ye = new float[rows];
        t.matvec(xe, ye);
        expect(t, w, xe, 0, 1, new float[rows], ye, 0, null, false);
        float[] xb = java.util.Arrays.copyOfRange(x, xOff, xOff + batch * cols), yb = new float[batch * rows];
        t.matmul(xb, batch, yb);
        expect(t, w, xb, 0, batch, new float[batch * rows], yb, 0, null, false);
        // matmul on segments, byte offsets, heap and native
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = arena.allocate(4L * x.length + 8), ys = arena.allocate(4L * y0.length + 4);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT_UNALIGNED, 8, x.length);
            MemorySegment.copy(y0, 0, ys, ValueLayout.JAVA_FLOAT_UNALIGNED, 4, y0.length);
            t.matmul(xs, 8 + 4L * xOff, batch, ys, 4 + 4L * yOff, bias, true);
            float[] got = new float[y0.length];
            MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT_UNALIGNED, 4, got, 0, got.length);
            expect(t, w, x, xOff, batch, y0, got, yOff, bias, true);
        }
        float[] yh = y0.clone();
        t.matmul(MemorySegment.ofArray(x), 4L * xOff, batch, MemorySegment.ofArray(yh), 4L * yOff, null, false);
        expect(t, w, x, xOff, batch, y0, yh, yOff, null, false);
        // row look-up: exactly the decoded row, nothing outside the range written
        float[] out = new float[cols + 3];
        for (int r : new int[] {0, rows / 2, rows - 1}) {
            java.util.Arrays.fill(out, 7f);
            t.row(r, out, 2);
            for (int c = 0; c < cols; c++) assertThat(out[2 + c]).as(t.name() + " row " + r).isEqualTo(w[r * cols + c]);
            assertThat(out[0]).isEqualTo(7f);
            assertThat(out[1]).isEqualTo(7f);
            assertThat(out[cols + 2]).isEqualTo(7f);
        }
    }

    /** y[yOff + b·rows + r] = (acc ? before : 0) + Σ_c w[r][c]·x + bias, in double; elements outside untouched. */
    private static void expect(TqTensor t, float[] w, float[] x, int xOff, int batch, float[] before, float[] y, int yOff,
                               float[] bias, boolean accumulate) {
        int rows = t.rows(), cols = t.cols();
        for (int i = 0; i < y.length; i++) {
            int k = i - yOff;
            if (k < 0 || k >= batch * rows) {
                assertThat(y[i]).as(t.name() + ": y[" + i + "] outside the range").isEqualTo(before[i]);
                continue;
            }
            int b = k / rows, r = k % rows;
            double s = (accumulate ? before[i] : 0) + (bias == null ? 0 : bias[r]), mag = Math.abs(s);
            for (int c = 0; c < cols; c++) {
                double p = (double) w[r * cols + c] * x[xOff + b * cols + c];
                s += p;
                mag += Math.abs(p);
            }
            assertThat((double) y[i]).as(t.name() + " y[" + b + "][" + r + "]").isCloseTo(s,
                    org.assertj.core.api.Assertions.within(2e-5 * mag + 1e-6));
        }
    }

    @Test
    void argumentsAreCheckedAgainstTheRangesUsed() throws IOException {
        TqPack p = pack(Method.TURBOQUANT, 4, false, TqPack.Options.defaults());
        for (String name : List.of(ODD, K_BF16)) {
            TqTensor t = p.tensor(name);
            int rows = t.rows(), cols = t.cols();
            float[] x = new float[cols], y = new float[rows];
            assertThatThrownBy(() -> t.matvec(new float[cols - 1], 0, y, 0, null, false))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining(name).hasMessageContaining("x");
            assertThatThrownBy(() -> t.matvec(x, 1, y, 0, null, false)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining(name).hasMessageContaining("offset 1");
            assertThatThrownBy(() -> t.matvec(x, -1, y, 0, null, false)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.matvec(x, 0, new float[rows], 1, null, false))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining(name).hasMessageContaining("y");
            assertThatThrownBy(() -> t.matvec(x, 0, y, 0, new float[rows - 1], false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name).hasMessageContaining("bias");
            assertThatThrownBy(() -> t.matvec(x, 0, y, 0, new float[rows + 1], false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias");
            // the offset-free forms want exact lengths: too long is as wrong as too short
            assertThatThrownBy(() -> t.matvec(new float[cols + 1], y)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name);
            assertThatThrownBy(() -> t.matvec(x, new float[rows + 1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.matmul(new float[2 * cols + 1], 2, new float[2 * rows]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.matmul(new float[2 * cols], 0, 3, new float[3 * rows], 0, null, false))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> t.matmul(x, 0, -1, y, 0, null, false)).isInstanceOf(IllegalArgumentException.class);
            MemorySegment xs = MemorySegment.ofArray(new float[2 * cols]), ys = MemorySegment.ofArray(new float[2 * rows]);
            assertThatThrownBy(() -> t.matmul(xs, 4, 2, ys, 0, null, false)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining(name).hasMessageContaining("x segment");
            assertThatThrownBy(() -> t.matmul(xs, 0, 2, ys, 4, null, false)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("y segment");
            assertThatThrownBy(() -> t.matmul(xs, 0, 2, ys.asReadOnly(), 0, null, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> t.row(rows, new float[cols], 0)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining(name);
            assertThatThrownBy(() -> t.row(-1, new float[cols], 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.row(0, new float[cols], 1)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("out");
            // a batch of 0 touches nothing
            float[] untouched = {3f};
            t.matmul(new float[0], 0, 0, untouched, 1, null, false);
            assertThat(untouched).containsExactly(3f);
        }
    }

    @Test
    void keptTensorsThatAreNotFloatMatricesThrowWithTheirName() throws IOException {
        TqPack p = pack(Method.TURBOQUANT, 4, false, TqPack.Options.defaults());
        for (String name : List.of(BIAS, IDS)) {
            TqTensor t = p.tensor(name);
            assertThat(t.isMatrix()).isFalse();
            assertThatThrownBy(() -> t.matvec(new float[1], 0, new float[1], 0, null, false))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> t.row(0, new float[8], 0)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(name);
            assertThatThrownBy(t::warmUp).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> t.matmul(MemorySegment.ofArray(new float[1]), 0, 1, MemorySegment.ofArray(new float[1]),
                    0, null, false)).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(name);
        }
        assertThat(p.tensor(BIAS).dequantize()).containsExactly(source.get(BIAS));
        assertThatThrownBy(() -> p.tensor(IDS).dequantize()).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(IDS);
    }

    /** Products split into row ranges differently give the same bits: 1, 2, 3 threads, a caller's executor. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void threadsAndExecutorsGiveIdenticalResults(String label, Method method, double bits, boolean rowOrder) throws IOException {
        if (method == Method.TURBOQUANT && bits != 4 && bits != 4.25 && bits != 3) return; // the split is method-independent
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<TqPack> packs = new ArrayList<>();
            for (TqPack.Options o : List.of(TqPack.Options.defaults().threads(1), TqPack.Options.defaults().threads(2),
                    TqPack.Options.defaults().threads(3), TqPack.Options.defaults().executor(executor),
                    TqPack.Options.defaults().executor(executor).threads(3), TqPack.Options.defaults()))
                packs.add(pack(method, bits, rowOrder, o));
            assertThat(packs.get(0).pool().threads()).isEqualTo(1);
            assertThat(packs.get(2).pool().threads()).isEqualTo(3);
            for (String name : List.of(EVEN, ODD, K_F16)) {
                int rows = packs.get(0).tensor(name).rows(), cols = packs.get(0).tensor(name).cols(), batch = 5;
                float[] x = gaussian(new Random(9), batch * cols), bias = gaussian(new Random(10), rows);
                float[] refV = null, refM = null;
                for (TqPack p : packs) {
                    float[] yv = new float[rows], ym = new float[batch * rows];
                    p.tensor(name).matvec(x, 0, yv, 0, bias, false);
                    p.tensor(name).matmul(x, 0, batch, ym, 0, bias, false);
                    if (refV == null) {
                        refV = yv;
                        refM = ym;
                    }
                    assertThat(yv).as(name + " matvec").containsExactly(refV);
                    assertThat(ym).as(name + " matmul").containsExactly(refM);
                }
            }
            packs.forEach(TqPack::close);
            open.removeAll(packs);
            assertThat(executor.isShutdown()).as("the pack never shuts the caller's executor down").isFalse();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void threadOptionsAreChecked() {
        assertThatThrownBy(() -> TqPack.Options.defaults().threads(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> TqPack.Options.defaults().executor(null)).isInstanceOf(NullPointerException.class);
        assertThat(TqPack.Options.defaults().verify()).isTrue();
        assertThat(TqPack.Options.defaults().verify(false).threads(2).verify()).isFalse();
    }

    @Test
    void warmUpChangesNoResult() throws IOException {
        TqPack p = pack(Method.TURBOQUANT, 2, true, TqPack.Options.defaults().threads(2));
        TqTensor t = p.tensor(EVEN);
        float[] x = gaussian(new Random(3), t.cols()), before = new float[t.rows()], after = new float[t.rows()];
        t.matvec(x, before);
        t.warmUp();
        t.matvec(x, after);
        assertThat(after).containsExactly(before);
        assertThat(t.kernel()).contains("turboquant 2-bit");
        assertThat(p.tensor(K_BF16).kernel()).containsIgnoringCase("bf16");
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
