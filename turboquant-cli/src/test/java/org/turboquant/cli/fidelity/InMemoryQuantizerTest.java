package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.core.Seeds;
import org.turboquant.loader.pack.BitBudget;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import org.turboquant.loader.source.Usage;

class InMemoryQuantizerTest {

    /** A small model in memory: an embedding table, an ONNX MatMul weight ([in, out]), a Linear weight and a bias. */
    static final class Synthetic implements TensorSource {
        final Map<String, SourceTensor> tensors = new LinkedHashMap<>();
        final Map<String, float[]> data = new LinkedHashMap<>();

        Synthetic() {
            Random rnd = new Random(7);
            add("embeddings.word_embeddings.weight", Usage.GATHER_TABLE, rnd, 1024, 256);
            add("onnx::MatMul_1", Usage.MATMUL_WEIGHT, rnd, 256, 600);
            add("layer.0.output.dense.weight", Usage.LINEAR_WEIGHT, rnd, 384, 256);
            add("layer.0.output.dense.bias", Usage.OTHER, rnd, 384);
        }

        private void add(String name, Usage usage, Random rnd, long... shape) {
            int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
            float[] v = new float[n];
            // Uneven energy: every 64th value's neighbourhood is louder, so blocks differ in norm.
            for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * ((i / 64) % 5 == 0 ? 4 : 1));
            tensors.put(name, new SourceTensor(name, DType.F32, shape, usage));
            data.put(name, v);
        }

        @Override public Path path() { return Path.of("synthetic"); }
        @Override public List<SourceTensor> tensors() { return List.copyOf(tensors.values()); }
        @Override public SourceTensor tensor(String name) {
            SourceTensor t = tensors.get(name);
            if (t == null) throw new NoSuchElementException(name);
            return t;
        }
        @Override public MemorySegment raw(SourceTensor t) { // little-endian f32, as a safetensors file holds it
            float[] v = data.get(t.name());
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            return MemorySegment.ofArray(b.array());
        }
        @Override public void readFloats(SourceTensor t, long off, float[] dst, int dstOff, int count) {
            System.arraycopy(data.get(t.name()), (int) off, dst, dstOff, count);
        }
        @Override public String sha256() { return "0"; }
        @Override public void close() {}
    }

    private static Scheme fractional(double rate) {
        return Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16);
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.5, 3.5, 4.25, 4.5, 6.5})
    void fractionalBitsPerWeightMeetTheRateFromBelow(double rate) {
        InMemoryQuantizer q = new InMemoryQuantizer(new Synthetic());
        assertThat(q.matrixCount()).isEqualTo(3);
        InMemoryQuantizer.Result r = q.apply(fractional(rate));
        assertThat(r.bitsPerWeight()).isLessThanOrEqualTo(rate).isGreaterThan(rate - 0.01);
        assertThat(r.quantizedWeights()).isEqualTo(1024 * 256 + 256 * 600 + 384 * 256);
    }

    @Test
    void spareBitsGoToTheMatricesAndLowerTheirError() {
        InMemoryQuantizer q = new InMemoryQuantizer(new Synthetic());
        Map<String, BitBudget.Widths> widths = q.allocate(fractional(4.25));
        assertThat(widths.get("embeddings.word_embeddings.weight")).isEqualTo(BitBudget.Widths.uniform(4));
        assertThat(widths.get("onnx::MatMul_1").mixed()).isTrue();
        // Spread evenly, the table widens too.
        Map<String, BitBudget.Widths> even = q.allocate(
                Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.F16, Scheme.Budget.EVEN));
        assertThat(even.get("embeddings.word_embeddings.weight").mixed()).isTrue();

        var uniform = q.apply(Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false)).tensors();
        var mixed = q.apply(fractional(4.25)).tensors();
        assertThat(mixed.get(0).relativeMse()).isEqualTo(uniform.get(0).relativeMse()); // the table: same 4 bits
        // Both matrices gain; the Linear weight's loud 16-row cells (it is stored grouped) outrank most of the
        // MatMul weight's single units (600 rows, allocated per unit), so it gets the larger share.
        assertThat(mixed.get(1).relativeMse()).isLessThan(uniform.get(1).relativeMse() * 0.97);
        assertThat(mixed.get(2).relativeMse()).isLessThan(uniform.get(2).relativeMse() * 0.9);
    }

    @Test
    void chunkedQuantizationDecodesAsTheWholeTensorQuantizerDoes() {
        Synthetic src = new Synthetic();
        InMemoryQuantizer q = new InMemoryQuantizer(src);
        Scheme s = fractional(4.25);
        BitBudget.Widths w = q.allocate(s).get("onnx::MatMul_1");
        assertThat(w.mixed()).isTrue();
        // The ONNX MatMul weight [256 in, 600 out] is quantized as its transpose: 600 rows (3 chunks) of 256.
        float[] t = InMemoryQuantizer.transpose(src.data.get("onnx::MatMul_1"), 256, 600);
        QuantConfig config = new QuantConfig(w.narrowBits(), 128, RotationKind.HADAMARD,
                Seeds.tensorSeed(Seeds.DEFAULT_SEED, "onnx::MatMul_1"), NormPrecision.F16, false);
        float[] whole = ScalarKernels.dequantize(
                MixedMatrixQuantizer.quantize(t, 600, 256, config, w.wideBits(), w.wideUnits()));
        float[] got = q.apply(s).overrides().tensors().get("onnx::MatMul_1").data();
        assertThat(got).containsExactly(InMemoryQuantizer.transpose(whole, 600, 256));
    }

    /**
     * A fractional row of tq compare decodes to exactly the weights of the pack tq pack writes with the same flags:
     * the Linear weight (384 rows) is stored in 16-row cells and so allocated per cell, the transposed MatMul weight
     * (600 rows, not whole groups) per row and unit, the table stays uniform.
     */
    @ParameterizedTest
    @ValueSource(doubles = {3.5, 4.25, 4.5})
    void fractionalRowsDecodeAsTheRealPack(double rate, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Synthetic src = new Synthetic();
        Scheme s = Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched();
        InMemoryQuantizer q = new InMemoryQuantizer(src);
        BitBudget.Widths linear = q.allocate(s).get("layer.0.output.dense.weight");
        if (rate == 4.25) assertThat(linear.mixed()).isTrue(); // (at 3.5 and 4.5 the ranking leaves it uniform)
        assertThat(linear.wideUnits() % 16).isZero();
        InMemoryQuantizer.Result inMemory = q.apply(s);
        org.turboquant.loader.pack.Packer.pack(src, tmp.resolve("pack"),
                org.turboquant.loader.pack.PackOptions.defaults().withBits(rate).withNorm(NormPrecision.LOG8, false),
                false, org.turboquant.loader.pack.ProgressListener.NONE);
        try (var pack = org.turboquant.loader.pack.TqPack.open(tmp.resolve("pack"))) {
            var packed = PackOverrides.of(pack).tensors();
            assertThat(packed.keySet()).containsExactlyInAnyOrderElementsOf(inMemory.overrides().tensors().keySet());
            for (var e : inMemory.overrides().tensors().entrySet())
                assertThat(packed.get(e.getKey()).data()).as(e.getKey()).containsExactly(e.getValue().data());
            assertThat(pack.manifest().totals().quantizedBitsPerWeight()).isCloseTo(inMemory.bitsPerWeight(),
                    org.assertj.core.api.Assertions.within(1e-3));
        }
    }

    /**
     * The sensitivity budget is the pack's ranking with per-tensor weights: with the same weights given to tq pack
     * ({@code PackOptions.rankWeights}) the pack decodes to the in-memory weights, and a tensor weighing nothing is
     * left narrow.
     */
    @Test
    void sensitivityBudgetDecodesAsAPackGivenTheSameRankWeights(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Synthetic src = new Synthetic();
        Scheme s = Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched()
                .withBudget(Scheme.Budget.SENSITIVITY);
        InMemoryQuantizer q = new InMemoryQuantizer(src);
        assertThatThrownBy(() -> q.apply(s)).hasMessageContaining("useSensitivities");
        Map<String, Double> weights = Map.of("onnx::MatMul_1", 0.0, "layer.0.output.dense.weight", 2.0);
        q.useSensitivities(weights);
        assertThat(q.allocate(s).get("onnx::MatMul_1").mixed()).isFalse();
        assertThat(q.allocate(s).get("layer.0.output.dense.weight").mixed()).isTrue();
        InMemoryQuantizer.Result inMemory = q.apply(s);
        org.turboquant.loader.pack.Packer.pack(src, tmp.resolve("pack"),
                org.turboquant.loader.pack.PackOptions.defaults().withBits(4.25).withNorm(NormPrecision.LOG8, false)
                        .withRankWeights(weights), false, org.turboquant.loader.pack.ProgressListener.NONE);
        try (var pack = org.turboquant.loader.pack.TqPack.open(tmp.resolve("pack"))) {
            var packed = PackOverrides.of(pack).tensors();
            for (var e : inMemory.overrides().tensors().entrySet())
                assertThat(packed.get(e.getKey()).data()).as(e.getKey()).containsExactly(e.getValue().data());
        }
        assertThat(s.packFlags()).endsWith("--norm log8 --rank-weights sensitivity-MODEL.tsv");
        assertThat(s.settings()).isEqualTo("b=4.25 hadamard block=128 log8 search by-sensitivity");
        assertThat(q.matrixNames()).containsExactly("onnx::MatMul_1", "layer.0.output.dense.weight");
        assertThat(q.vocabularySize()).isEqualTo(1024);
    }

    /** Sub-scales (measured in memory only) count their codes in the bits: 3 bits per 32 coordinates. */
    @Test
    void subScaledRowsCountTheirCodesAndLowerTheError() {
        InMemoryQuantizer q = new InMemoryQuantizer(new Synthetic());
        Scheme plain = Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.LOG8, false).searched();
        InMemoryQuantizer.Result a = q.apply(plain), b = q.apply(plain.subScaled(3));
        assertThat(b.quantizedBytes() - a.quantizedBytes()).isEqualTo(a.quantizedWeights() / 32 * 3 / 8);
        double errA = a.tensors().stream().mapToDouble(InMemoryQuantizer.TensorResult::relativeMse).sum();
        double errB = b.tensors().stream().mapToDouble(InMemoryQuantizer.TensorResult::relativeMse).sum();
        assertThat(errB).isLessThan(0.9 * errA);
        assertThatThrownBy(() -> Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false).searched().subScaled(3))
                .hasMessageContaining("log8");
    }

    @Test
    void fractionalFlagsAndLabels() {
        Scheme s = fractional(4.25);
        assertThat(s.isFractional()).isTrue();
        assertThat(s.bits()).isEqualTo(4);
        assertThat(s.packFlags()).isEqualTo("--bits 4.25 --rotation hadamard --block 128 --norm f16 --scale norm");
        assertThat(s.searched().packFlags()).isEqualTo("--bits 4.25 --rotation hadamard --block 128 --norm f16");
        assertThat(s.settings()).isEqualTo("b=4.25 hadamard block=128 f16");
        assertThat(s.family()).isEqualTo("TurboQuant, fractional");
        assertThat(fractional(3.5).packFlags()).startsWith("--bits 3.5 ");
        Scheme b64 = Scheme.fractional(4.25, 64, RotationKind.HADAMARD, NormPrecision.F16);
        assertThat(b64.family()).isEqualTo("TurboQuant, fractional, hadamard 64");
        assertThat(b64.packFlags()).contains("--block 64");
        Scheme even = Scheme.fractional(4.5, 128, RotationKind.HADAMARD, NormPrecision.F16, Scheme.Budget.EVEN);
        assertThat(even.family()).isEqualTo("TurboQuant, fractional, spread evenly");
        assertThat(even.settings()).isEqualTo("b=4.5 hadamard block=128 f16 spread-evenly");
        Scheme uniform = Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false);
        assertThat(uniform.isFractional()).isFalse();
        assertThat(uniform.packFlags()).isEqualTo("--bits 4 --rotation hadamard --block 128 --norm f16 --scale norm");
        assertThat(uniform.family()).isEqualTo("TQ hadamard 128");
    }
}
