package org.turboquant.cli.fidelity;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.ScalarKernels;
import org.turboquant.core.Seeds;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.core.baseline.RtnMatrix;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import org.turboquant.loader.source.Usage;

/**
 * Quantizes a model's matrices in memory with core's quantizers and decodes them again, without writing a pack.
 * It selects tensors, orients them and seeds rotations as {@code tq pack} does (2-D float tensors of at least
 * {@value #MIN_ELEMENTS} elements used as a MatMul/Linear weight or a Gather table; MatMul weights transposed so
 * that rows run along the reduction axis; seed = tensorSeed(42, name)), and counts the bytes of the pack's data.
 * This lets {@code tq compare} race dozens of settings quickly.
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
        for (Matrix m : matrices) {
            float[] decoded = new float[m.rowMajor().length];
            long bytes = quantize(scheme, m, decoded);
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

    /** Quantizes and decodes m into {@code decoded} (row-major rows × cols); returns the stored bytes. */
    private static long quantize(Scheme s, Matrix m, float[] decoded) {
        int rows = m.rows(), cols = m.cols();
        int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int first = c * CHUNK_ROWS, n = Math.min(CHUNK_ROWS, rows - first);
            float[] part = java.util.Arrays.copyOfRange(m.rowMajor(), first * cols, (first + n) * cols);
            float[] back = decode(s, m.tensor().name(), part, n, cols);
            System.arraycopy(back, 0, decoded, first * cols, n * cols);
        });
        return storedBytes(s, rows, cols);
    }

    private static float[] decode(Scheme s, String name, float[] w, int rows, int cols) {
        return switch (s.method()) {
            case "turboquant" -> ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, config(s, name)));
            case "rtn" -> RtnMatrix.quantize(w, rows, cols, s.bits()).dequantize();
            case "q4_0" -> Q4_0Matrix.quantize(w, rows, cols).dequantize();
            case "q8_0" -> Q8_0Matrix.quantize(w, rows, cols).dequantize();
            default -> throw new IllegalArgumentException("unknown method " + s.method());
        };
    }

    static QuantConfig config(Scheme s, String name) {
        return new QuantConfig(s.bits(), s.blockSize(), s.rotation(), Seeds.tensorSeed(Seeds.DEFAULT_SEED, name),
                s.normPrecision(), s.normCorrection());
    }

    /** Bytes of codes plus scales, as the pack stores them. */
    static long storedBytes(Scheme s, int rows, int cols) {
        return switch (s.method()) {
            case "turboquant" -> {
                BlockLayout layout = BlockLayout.of(cols, s.blockSize(), s.rotation());
                yield (long) rows * (BitPacking.packedBytes(layout.paddedCols(), s.bits())
                        + (long) layout.blocksPerRow() * s.normPrecision().bytes());
            }
            case "rtn" -> (long) rows * (RtnMatrix.rowStrideBytes(cols, s.bits()) + Float.BYTES);
            case "q4_0" -> (long) rows * Q4_0Matrix.blocksPerRow(cols) * (Q4_0Matrix.BLOCK_BYTES + 2);
            case "q8_0" -> (long) rows * Q8_0Matrix.blocksPerRow(cols) * (Q8_0Matrix.BLOCK + 2);
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

    public long totalWeights() { return totalWeights; }

    public int matrixCount() { return matrices.size(); }
}
