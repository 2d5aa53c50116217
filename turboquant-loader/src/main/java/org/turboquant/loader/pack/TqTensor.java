package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.Shapes;
import org.turboquant.simd.ParallelMatmul;

/**
 * One tensor of a {@link TqPack}: its manifest metadata, and, for every matrix whatever its method, the
 * {@link WeightMatrix} operations, delegated to the method's own class (built by {@link StoredMatrices}). Immutable
 * and thread-safe; its memory stays valid until the pack is closed.
 *
 * <p>{@link #dequantize()} returns the source's layout (shape and orientation). The {@link WeightMatrix} operations
 * act on the matrix W whose rows are weight vectors along the reduction axis: [out, in] for a PyTorch Linear weight
 * and for an ONNX MatMul weight alike (the latter is stored [in, out] in the source, see {@link #transposed()}).
 * A kept tensor that is not a 2-D float matrix (a bias, a LayerNorm weight) has only {@link #dequantize()}; the
 * matrix operations throw {@link UnsupportedOperationException}.
 */
public final class TqTensor implements WeightMatrix {
    private final Manifest.TensorEntry entry;
    private final Method method;
    /** A kept tensor's bytes, as in the source; null for quantized tensors. */
    private final MemorySegment keptData;
    /** The matrix operations; null for a kept tensor that is not a 2-D float matrix. */
    private final StoredMatrix matrix;
    /** Verification hook (TqPack.Options.verify): the tensor's SHA-256, checked before its data is first used. */
    private final TensorChecksum checksum;

    TqTensor(Manifest.TensorEntry entry, SafetensorsFile weights, Path packDir, ParallelMatmul pool,
             TensorChecksum checksum) {
        this.entry = entry;
        this.checksum = checksum;
        this.method = parseMethod(entry, packDir);
        PartReader r = new PartReader(weights, packDir, entry);
        if (entry.shape() == null) throw r.bad("missing field 'shape'");
        if (entry.parts() == null) throw r.bad("no parts");
        DType dtype = DType.fromId(String.valueOf(entry.dtype()))
                .orElseThrow(() -> r.bad("unknown dtype '" + entry.dtype() + "'"));
        if (method != Method.KEPT) {
            int rows = entry.rows(), cols = entry.cols();
            if (rows < 1 || cols < 1) throw r.bad("rows " + rows + " and cols " + cols + " must be >= 1");
            long[] expected = entry.transposed() ? new long[] {cols, rows} : new long[] {rows, cols};
            if (!Arrays.equals(entry.shape(), expected))
                throw r.bad("shape " + Arrays.toString(entry.shape()) + " disagrees with rows " + rows
                        + ", cols " + cols + (entry.transposed() ? " (transposed)" : ""));
        }
        this.keptData = method == Method.KEPT ? r.part("data", dtype, entry.shape()) : null;
        this.matrix = StoredMatrices.read(method, r, dtype, keptData, pool);
    }

    private static Method parseMethod(Manifest.TensorEntry e, Path packDir) {
        try {
            return Method.parse(e.method());
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new BadInputException(packDir.resolve(Manifest.FILE_NAME), e.name(), "unknown method '" + e.method() + "'");
        }
    }

    @Override
    public String name() { return entry.name(); }

    /** The source shape. */
    public long[] shape() { return entry.shape().clone(); }

    public Method method() { return method; }

    /** Bits per index (4 for Q4_0, 8 for Q8_0; the narrow width of a mixed tensor), or 0 for a kept tensor. */
    public int bits() { return entry.bits() == null ? 0 : entry.bits(); }

    /** Whether this TurboQuant tensor mixes two widths ({@link #mixedMatrix()}). */
    public boolean mixedWidths() { return matrix instanceof MixedWeights; }

    /** Stored bits per weight, every part included. */
    public double bitsPerWeight() { return entry.bitsPerWeight(); }

    /** Whether the matrix W is the transpose of the source (ONNX MatMul weights). */
    public boolean transposed() { return entry.transposed(); }

    public boolean quantized() { return method != Method.KEPT; }

    /** Whether the {@link WeightMatrix} operations apply: every quantized tensor, and kept 2-D float tensors. */
    public boolean isMatrix() { return matrix != null; }

    public Manifest.TensorEntry manifestEntry() { return entry; }

    /** The TurboQuant matrix, for direct use with the kernels; null for other methods. */
    public QuantizedMatrix matrix() {
        beforeDataUse();
        return matrix instanceof TurboQuantWeights t ? t.matrix() : null;
    }

    /** The mixed-width TurboQuant matrix, for direct use with the kernels; null for other tensors. */
    public MixedQuantizedMatrix mixedMatrix() {
        beforeDataUse();
        return matrix instanceof MixedWeights m ? m.matrix() : null;
    }

    /** Rows of W (outputs); 0 for a kept tensor that is not a matrix. */
    @Override
    public int rows() { return matrix == null ? entry.rows() : matrix.rows(); }

    /** Columns of W (the reduction dimension); 0 for a kept tensor that is not a matrix. */
    @Override
    public int cols() { return matrix == null ? entry.cols() : matrix.cols(); }

    public long numel() {
        return Shapes.numel(entry.shape());
    }

    /** The whole tensor as floats, in the source's shape and orientation (row-major). */
    public float[] dequantize() {
        beforeDataUse();
        if (method == Method.KEPT) {
            DType dtype = DType.fromId(entry.dtype()).orElseThrow();
            if (!dtype.isFloat()) throw new UnsupportedOperationException(name() + " is " + dtype.id() + ", not a float tensor");
            float[] out = new float[Math.toIntExact(numel())];
            FloatCodec.decode(keptData, dtype, 0, out, 0, out.length);
            return out;
        }
        float[] m = matrix.decodeAll();
        return entry.transposed() ? transpose(m, matrix.rows(), matrix.cols()) : m;
    }

    /** {@link #dequantize()} into {@code dst} as native-order floats, starting at byte 0. */
    public void dequantize(MemorySegment dst) {
        float[] all = dequantize();
        MemorySegment.copy(all, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, all.length);
    }

    /**
     * Optional: does now the one-time data work of the first product (building the matrix; for 1- to 4-bit
     * TurboQuant tensors, regrouping the codes for the table kernels). {@link #warmUp()} does this and the JIT.
     */
    public void prepare() {
        requireMatrix().prepare();
    }

    /** Which kernel multiplies this tensor, e.g. "turboquant 4-bit g=128 (panama-512)". */
    public String kernel() {
        return requireMatrix().describeKernel();
    }

    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        requireMatrix().matvec(x, xOff, y, yOff, bias, accumulate);
    }

    /** Y = W·X for {@code batch} row-major input vectors (exactly batch × cols); Y exactly batch × rows. */
    public void matmul(float[] x, int batch, float[] y) {
        StoredMatrix m = requireMatrix();
        org.turboquant.simd.ProductArgs.checkExact(name() + ": x", x.length, Math.multiplyExact(batch, m.cols()), "columns × batch");
        org.turboquant.simd.ProductArgs.checkExact(name() + ": y", y.length, Math.multiplyExact(batch, m.rows()), "rows × batch");
        m.matmul(x, 0, batch, y, 0, null, false);
    }

    @Override
    public void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        requireMatrix().matmul(x, xOff, batch, y, yOff, bias, accumulate);
    }

    @Override
    public void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias,
                       boolean accumulate) {
        requireMatrix().matmul(x, xByteOff, batch, y, yByteOff, bias, accumulate);
    }

    @Override
    public void row(int r, float[] out, int outOff) {
        requireMatrix().row(r, out, outOff);
    }

    @Override
    public void warmUp() {
        requireMatrix().warmUp();
    }

    /** The matrix, after the verification hook: every matrix operation passes through here. */
    private StoredMatrix requireMatrix() {
        if (matrix == null)
            throw new UnsupportedOperationException(name() + " is kept as " + entry.dtype() + Arrays.toString(entry.shape())
                    + ", not a 2-D float matrix");
        beforeDataUse();
        return matrix;
    }

    /** The verification hook: every public method that reads the tensor's data calls this first. */
    private void beforeDataUse() {
        checksum.verifyOnce();
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
        }
        return out;
    }
}
