package org.turboquant.cli.fidelity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.ScalarKernels;
import org.turboquant.core.Seeds;
import org.turboquant.core.SubScaledMatrices;
import org.turboquant.core.baseline.BlockFormat;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.core.baseline.RtnMatrix;
import org.turboquant.loader.pack.BitBudget;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import org.turboquant.loader.source.Usage;

/**
 * Quantizes a model's matrices in memory with core's quantizers and decodes them again, without writing a pack.
 * It selects tensors, orients them and seeds rotations as {@code tq pack} does (2-D float tensors of at least
 * {@value #MIN_ELEMENTS} elements used as a MatMul/Linear weight or a Gather table; MatMul weights transposed so
 * that rows run along the reduction axis; seed = tensorSeed(42, name)), and counts the bytes of the pack's data.
 * A fractional rate is allocated over all selected tensors with the loader's {@link BitBudget}, each tensor as the
 * pack stores it ({@link BitBudget.Tensor#asPacked}: per 16-row cell where its codes are grouped), and its width map
 * is the pack's ({@link BitAllocation#widthMap}), so a fractional row decodes to the weights {@code tq pack --bits
 * 4.25} writes; its bytes are {@link BitBudget#cost} (codes, scales, width maps and codebooks). This lets
 * {@code tq compare} race dozens of settings quickly.
 */
public final class InMemoryQuantizer {
    static final long MIN_ELEMENTS = 4096;
    /** Rows quantized per parallel task. */
    private static final int CHUNK_ROWS = 256;

    private final TensorSource source;
    private final List<Matrix> matrices = new ArrayList<>();
    private final long keptBytes;
    private final long totalWeights;

    /** A source tensor as a rows × cols matrix of weight vectors (rows = outputs). */
    record Matrix(SourceTensor tensor, boolean transposed, int rows, int cols, float[] rowMajor) {}

    /** Outcome for one tensor: name, shape, bytes and relative squared error ||W − Ŵ||² / ||W||². */
    public record TensorResult(String name, long[] shape, long bytes, double relativeMse) {}

    /** The decoded weights, sizes and timing of one setting. */
    public record Result(Scheme scheme, WeightOverrides overrides, List<TensorResult> tensors, long packBytes,
                         long quantizedBytes, long quantizedWeights, long totalWeights, double seconds) {
        /** Bits per quantized weight, including norms or scales. */
        public double bitsPerWeight() { return 8.0 * quantizedBytes / quantizedWeights; }
    }

    public InMemoryQuantizer(TensorSource source) {
        this.source = source;
        long kept = 0, total = 0;
        for (SourceTensor t : source.tensors()) {
            total += t.numel();
            if (selected(t)) matrices.add(load(t));
            else kept += t.byteSize();
        }
        this.keptBytes = kept;
        this.totalWeights = total;
    }

    static boolean selected(SourceTensor t) {
        return t.dtype().isFloat() && t.rank() == 2 && t.numel() >= MIN_ELEMENTS && t.usage() != Usage.OTHER;
    }

    private Matrix load(SourceTensor t) {
        int d0 = Math.toIntExact(t.dim(0)), d1 = Math.toIntExact(t.dim(1));
        float[] raw = new float[Math.multiplyExact(d0, d1)];
        source.readFloats(t, 0, raw, 0, raw.length);
        boolean transposed = t.usage() == Usage.MATMUL_WEIGHT;
        return transposed ? new Matrix(t, true, d1, d0, transpose(raw, d0, d1)) : new Matrix(t, false, d0, d1, raw);
    }

    public Result apply(Scheme scheme) {
        long t0 = System.nanoTime();
        WeightOverrides overrides = new WeightOverrides();
        List<TensorResult> results = new ArrayList<>();
        long quantizedBytes = 0, quantizedWeights = 0;
        Map<String, double[]> energies = new java.util.HashMap<>(); // per tensor, measured once for this scheme
        Map<String, BitBudget.Widths> widths = scheme.isFractional() ? allocate(scheme, energies) : Map.of();
        for (Matrix m : matrices) {
            float[] decoded = new float[m.rowMajor().length];
            long bytes = scheme.isFractional()
                    ? quantizeMixed(scheme, m, widths.get(m.tensor().name()), energies, decoded)
                    : quantize(scheme, m, decoded);
            quantizedBytes += bytes;
            quantizedWeights += decoded.length;
            results.add(new TensorResult(m.tensor().name(), m.tensor().shape(), bytes, relativeMse(m.rowMajor(), decoded)));
            float[] original = m.transposed() ? transpose(decoded, m.rows(), m.cols()) : decoded;
            overrides.put(m.tensor().name(), m.tensor().shape(), original);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(scheme, overrides, results, quantizedBytes + keptBytes, quantizedBytes, quantizedWeights,
                totalWeights, seconds);
    }

    /**
     * Widths per tensor for a fractional scheme, from all selected tensors as one budget; with the pack's policy
     * the matrices' wide units are then ranked across tensors as {@code tq pack} does.
     */
    Map<String, BitBudget.Widths> allocate(Scheme s) {
        return allocate(s, new java.util.HashMap<>());
    }

    /** As {@link #allocate(Scheme)}, keeping the unit energies it measures in {@code energies} by tensor name. */
    private Map<String, BitBudget.Widths> allocate(Scheme s, Map<String, double[]> energies) {
        List<BitBudget.Tensor> tensors = budgetTensors(s);
        Map<String, BitBudget.Widths> widths = BitBudget.allocate(tensors, scaleBits(s));
        if (s.budget() != Scheme.Budget.PACK && s.budget() != Scheme.Budget.SENSITIVITY) return widths;
        Map<String, Matrix> byName = new java.util.HashMap<>();
        for (Matrix m : matrices) byName.put(m.tensor().name(), m);
        if (s.budget() == Scheme.Budget.SENSITIVITY && sensitivities.isEmpty())
            throw new IllegalStateException("a sensitivity budget needs useSensitivities first");
        java.util.function.ToDoubleFunction<String> weight = s.budget() == Scheme.Budget.SENSITIVITY
                ? name -> sensitivities.getOrDefault(name, 1.0) : name -> 1.0;
        return BitBudget.rankAcrossTensors(tensors, widths, scaleBits(s),
                name -> energies.computeIfAbsent(name, n -> unitEnergies(s, byName.get(n))), weight);
    }

    private static double[] unitEnergies(Scheme s, Matrix m) {
        return BitAllocation.unitEnergies(m.rowMajor(), m.rows(), BlockLayout.of(m.cols(), s.blockSize(), s.rotation()));
    }

    List<BitBudget.Tensor> budgetTensors(Scheme s) {
        List<BitBudget.Tensor> tensors = new ArrayList<>();
        for (Matrix m : matrices) {
            boolean lookup = s.budget() != Scheme.Budget.EVEN && m.tensor().usage() == Usage.GATHER_TABLE;
            tensors.add(budgetTensor(s, m, lookup));
        }
        return tensors;
    }

    private static BitBudget.Tensor budgetTensor(Scheme s, Matrix m, boolean lookup) {
        return BitBudget.Tensor.asPacked(m.tensor().name(), m.rows(), BlockLayout.of(m.cols(), s.blockSize(), s.rotation()),
                lookup, s.rate());
    }

    /** Bits per block of scales as the budget counts them (sub-scale codes included). */
    private static int scaleBits(Scheme s) {
        return s.scaleBitsPerBlock();
    }

    /**
     * Quantizes m at the given widths: uniform, or mixed with the pack's width map (the tensor's highest-energy
     * units, or 16-row cells where the pack groups its codes, ranked over the whole tensor). Rows are independent
     * once the width map is fixed, so chunks of rows are quantized in parallel with their slice of the map. Returns the stored bytes, {@link BitBudget#cost} / 8.
     */
    private static long quantizeMixed(Scheme s, Matrix m, BitBudget.Widths w, Map<String, double[]> energies,
                                      float[] decoded) {
        int rows = m.rows(), cols = m.cols();
        String name = m.tensor().name();
        QuantConfig narrow = new QuantConfig(w.narrowBits(), s.blockSize(), s.rotation(),
                Seeds.tensorSeed(Seeds.DEFAULT_SEED, name), s.normPrecision(), false, s.scaleSearch())
                .fittedTo(m.rowMajor(), m.rowMajor().length, cols);
        BlockLayout blocks = BlockLayout.of(cols, s.blockSize(), s.rotation());
        BitBudget.Tensor t = budgetTensor(s, m, false);
        long bytes = BitBudget.cost(t, w, scaleBits(s)) / 8;
        if (!w.mixed()) {
            parallelChunks(rows, cols, m.rowMajor(), decoded, (first, n, part) -> s.subScaleBits() > 0
                    ? SubScaledMatrices.quantizeDecode(part, n, cols, narrow, null, w.narrowBits(), Scheme.SUB_BLOCK, s.subScaleBits())
                    : ScalarKernels.dequantize(MatrixQuantizer.quantize(part, n, cols, narrow)));
            return bytes;
        }
        int unitsPerRow = MixedLayout.unitsPerRow(blocks);
        byte[] bitmap = BitAllocation.widthMap(energies.computeIfAbsent(name, n -> unitEnergies(s, m)), rows, unitsPerRow,
                w.wideUnits(), t.allocationRows(w.wideBits()) > 1);
        parallelChunks(rows, cols, m.rowMajor(), decoded, (first, n, part) -> {
            // CHUNK_ROWS · unitsPerRow is a multiple of 8: every chunk but the last starts on a bitmap byte.
            long from = (long) first * unitsPerRow, to = (long) (first + n) * unitsPerRow;
            byte[] slice = Arrays.copyOfRange(bitmap, (int) (from / 8), (int) ((to + 7) / 8));
            MixedLayout layout = MixedLayout.of(n, blocks, slice);
            return s.subScaleBits() > 0
                    ? SubScaledMatrices.quantizeDecode(part, n, cols, narrow, layout, w.wideBits(), Scheme.SUB_BLOCK, s.subScaleBits())
                    : ScalarKernels.dequantize(MixedMatrixQuantizer.quantize(part, layout, narrow, w.wideBits()));
        });
        return bytes;
    }

    private interface ChunkCodec {
        float[] decode(int firstRow, int rows, float[] part);
    }

    private static void parallelChunks(int rows, int cols, float[] src, float[] decoded, ChunkCodec codec) {
        int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int first = c * CHUNK_ROWS, n = Math.min(CHUNK_ROWS, rows - first);
            float[] part = Arrays.copyOfRange(src, first * cols, (first + n) * cols);
            float[] back = codec.decode(first, n, part);
            System.arraycopy(back, 0, decoded, first * cols, n * cols);
        });
    }

    /** Quantizes and decodes m into {@code decoded} (row-major rows × cols); returns the stored bytes. */
    private static long quantize(Scheme s, Matrix m, float[] decoded) {
        int rows = m.rows(), cols = m.cols();
        BlockFormat stream = Scheme.blockFormat(s);
        QuantConfig config = s.isTurboQuant() ? config(s, m.tensor().name()).fittedTo(m.rowMajor(), m.rowMajor().length, cols) : null;
        if (stream != null && (long) CHUNK_ROWS * cols % stream.weights() != 0) {
            // a block stream cut at chunk ends would pad blocks the pack does not: quantize the matrix at once
            System.arraycopy(decode(s, config, m.rowMajor(), rows, cols), 0, decoded, 0, rows * cols);
        } else {
            parallelChunks(rows, cols, m.rowMajor(), decoded, (first, n, part) -> decode(s, config, part, n, cols));
        }
        return storedBytes(s, rows, cols);
    }

    /** {@code config}: the tensor's TurboQuant config (its log8 unit fitted to the whole tensor), null for baselines. */
    private static float[] decode(Scheme s, QuantConfig config, float[] w, int rows, int cols) {
        return switch (s.method()) {
            case "turboquant" -> s.subScaleBits() > 0
                    ? SubScaledMatrices.quantizeDecode(w, rows, cols, config, null, s.bits(), Scheme.SUB_BLOCK, s.subScaleBits())
                    : ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, config));
            case "rtn" -> RtnMatrix.quantize(w, rows, cols, s.bits()).dequantize();
            case "q4_0" -> Q4_0Matrix.quantize(w, rows, cols).dequantize();
            case "q8_0" -> Q8_0Matrix.quantize(w, rows, cols).dequantize();
            case "q3_k", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs" -> Scheme.blockFormat(s).quantize(w, rows, cols).dequantize();
            default -> throw new IllegalArgumentException("unknown method " + s.method());
        };
    }

    static QuantConfig config(Scheme s, String name) {
        return new QuantConfig(s.bits(), s.blockSize(), s.rotation(), Seeds.tensorSeed(Seeds.DEFAULT_SEED, name),
                s.normPrecision(), s.normCorrection(), s.scaleSearch());
    }

    /** Bytes of codes plus scales, as the pack stores them. */
    static long storedBytes(Scheme s, int rows, int cols) {
        return switch (s.method()) {
            case "turboquant" -> {
                BlockLayout layout = BlockLayout.of(cols, s.blockSize(), s.rotation());
                yield (long) rows * (BitPacking.packedBytes(layout.paddedCols(), s.bits())
                        + ((long) layout.blocksPerRow() * s.scaleBitsPerBlock() + 7) / 8);
            }
            case "rtn" -> (long) rows * (RtnMatrix.rowStrideBytes(cols, s.bits()) + Float.BYTES);
            case "q4_0" -> (long) rows * Q4_0Matrix.blocksPerRow(cols) * (Q4_0Matrix.BLOCK_BYTES + 2);
            case "q8_0" -> (long) rows * Q8_0Matrix.blocksPerRow(cols) * (Q8_0Matrix.BLOCK + 2);
            case "q3_k", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs" -> {
                BlockFormat f = Scheme.blockFormat(s);
                yield f.blocks((long) rows * cols) * f.bytes();
            }
            default -> throw new IllegalArgumentException("unknown method " + s.method());
        };
    }

    static double relativeMse(float[] w, float[] r) {
        double err = 0, energy = 0;
        for (int i = 0; i < w.length; i++) {
            double d = (double) w[i] - r[i];
            err += d * d;
            energy += (double) w[i] * w[i];
        }
        return energy == 0 ? 0 : err / energy;
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
        return out;
    }

    /** The selected tensors that multiply activations (not look-up tables), in model order. */
    public List<String> matrixNames() {
        return matrices.stream().filter(m -> m.tensor().usage() != Usage.GATHER_TABLE).map(m -> m.tensor().name()).toList();
    }

    /** Rows of the largest look-up table (the word embeddings: the vocabulary), 0 without one. */
    public int vocabularySize() {
        return matrices.stream().filter(m -> m.tensor().usage() == Usage.GATHER_TABLE).mapToInt(Matrix::rows).max().orElse(0);
    }

    /**
     * The tensor {@code name} plus independent Gaussian noise of relative squared error {@code relativeMse}
     * (variance relativeMse · mean w²), seeded, as an override in the model's own shape.
     */
    public WeightOverrides withNoise(String name, double relativeMse, long seed) {
        Matrix m = matrices.stream().filter(x -> x.tensor().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no selected tensor " + name));
        float[] w = m.rowMajor();
        double energy = 0;
        for (float v : w) energy += (double) v * v;
        double sigma = Math.sqrt(relativeMse * energy / w.length);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] noisy = new float[w.length];
        for (int i = 0; i < w.length; i++) noisy[i] = (float) (w[i] + sigma * gaussian(random));
        float[] original = m.transposed() ? transpose(noisy, m.rows(), m.cols()) : noisy;
        return new WeightOverrides().put(name, m.tensor().shape(), original);
    }

    private static double gaussian(java.util.SplittableRandom r) { // Box–Muller, one of the pair
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Per tensor name, a weight on its units' rank in the pack's budget ({@link Scheme.Budget#SENSITIVITY}), from a
     * {@link SensitivityProbe}; none set: every tensor 1.
     */
    public void useSensitivities(Map<String, Double> weights) {
        this.sensitivities = Map.copyOf(weights);
    }

    private Map<String, Double> sensitivities = Map.of();

    public long totalWeights() { return totalWeights; }

    public int matrixCount() { return matrices.size(); }
}
