package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.Rotation;
import org.turboquant.core.RotationKind;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.core.baseline.BaselineMatrix;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.core.baseline.RtnMatrix;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.Shapes;
import org.turboquant.loader.safetensors.TensorInfo;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.TurboQuantKernels;

/**
 * One tensor of a {@link TqPack}: decoded on demand, multiplied straight from its codes. Immutable and thread-safe;
 * its memory stays valid until the pack is closed.
 *
 * <p>{@link #dequantize()} returns the source's layout (shape and orientation). {@link #matvec} and {@link #matmul}
 * act on the quantized matrix, whose rows are weight vectors along the reduction axis: [out, in] for a PyTorch
 * Linear weight and for an ONNX MatMul weight alike (the latter is stored [in, out] in the source and transposed
 * for quantization, see {@link #transposed()}).
 */
public final class TqTensor implements WeightMatrix {
    private final Manifest.TensorEntry entry;
    private final Method method;
    /** Built on first use: regenerating a QR rotation costs O(g³), which open and inspect should not pay. */
    private final Lazy<QuantizedMatrix> turboQuant;
    /** The same for a mixed-width TurboQuant tensor (then {@link #turboQuant} is null). */
    private final Lazy<MixedQuantizedMatrix> mixed;
    /** Q8_0, Q4_0, RTN or a K/IQ block stream; null otherwise. */
    private final BaselineMatrix baseline;
    private final MemorySegment keptData;
    /** Verification hook (TqPack.Options.verify): the tensor's SHA-256, checked before its data is first used. */
    private final TensorChecksum checksum;

    TqTensor(Manifest.TensorEntry entry, SafetensorsFile weights, Path packDir, TensorChecksum checksum) {
        this.entry = entry;
        this.checksum = checksum;
        this.method = parseMethod(entry, packDir);
        Map<String, String> parts = entry.parts();
        PartReader r = new PartReader(weights, packDir, entry);
        int rows = entry.rows(), cols = entry.cols();
        if (entry.shape() == null) throw r.bad("missing field 'shape'");
        DType.fromId(String.valueOf(entry.dtype())).orElseThrow(() -> r.bad("unknown dtype '" + entry.dtype() + "'"));
        if (method != Method.KEPT) {
            long[] expected = entry.transposed() ? new long[] {cols, rows} : new long[] {rows, cols};
            if (!java.util.Arrays.equals(entry.shape(), expected))
                throw r.bad("shape " + java.util.Arrays.toString(entry.shape()) + " disagrees with rows " + rows
                        + ", cols " + cols + (entry.transposed() ? " (transposed)" : ""));
        }
        switch (method) {
            case TURBOQUANT -> {
                RotationKind kind = RotationKind.parse(r.require(entry.rotation(), "rotation"));
                BlockLayout layout = BlockLayout.of(cols, r.require(entry.blockSize(), "block_size"), kind);
                if (layout.blockSize() != entry.blockSize())
                    throw r.bad("block_size " + entry.blockSize() + " is not valid for " + cols + " columns and " + kind.id());
                int bits = r.require(entry.bits(), "bits");
                if (bits < 1 || bits > 8) throw r.bad("bits " + bits + " not in 1..8");
                long seed = Long.parseUnsignedLong(r.require(entry.seed(), "seed"), 16);
                DType scaleType = "f32".equals(entry.normDtype()) ? DType.F32 : DType.F16;
                float[] scales = PartBytes.toFloats(r.part("scales", scaleType, rows, layout.blocksPerRow()), scaleType);
                float[] centroids = PartBytes.toFloats(r.part("centroids", DType.F32, 1L << bits), DType.F32);
                if (entry.mixed()) {
                    this.mixed = mixedMatrix(r, entry, layout, kind, seed, bits, centroids, scales);
                    this.turboQuant = null;
                } else {
                    CodeLayout codeLayout = codeLayout(r, entry, layout);
                    MemorySegment codes = r.part("codes", DType.U8, codesShape(codeLayout, rows, layout, bits));
                    float[] ordered = codeLayout == CodeLayout.ROWS ? scales
                            : RowGroupCodes.groupScales(scales, rows, layout.blocksPerRow()); // the kernels' order
                    this.turboQuant = new Lazy<>(() -> new QuantizedMatrix(rows, layout, bits,
                            Rotation.of(kind, layout.blockSize(), seed), centroids, codes, ordered, codeLayout));
                    this.mixed = null;
                }
                this.baseline = null;
                this.keptData = null;
            }
            case Q8_0 -> {
                int nb = Q8_0Matrix.blocksPerRow(cols);
                this.baseline = new Q8_0Matrix(rows, cols, r.part("quants", DType.I8, rows, (long) nb * Q8_0Matrix.BLOCK),
                        r.part("scales", DType.F16, rows, nb));
                this.turboQuant = null;
                this.mixed = null;
                this.keptData = null;
            }
            case Q4_0 -> {
                int nb = Q4_0Matrix.blocksPerRow(cols);
                this.baseline = new Q4_0Matrix(rows, cols, r.part("quants", DType.U8, rows, (long) nb * Q4_0Matrix.BLOCK_BYTES),
                        r.part("scales", DType.F16, rows, nb));
                this.turboQuant = null;
                this.mixed = null;
                this.keptData = null;
            }
            case Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS -> {
                var f = method.blockFormat();
                this.baseline = f.matrix(rows, cols, r.part("blocks", DType.U8, f.blocks((long) rows * cols), f.bytes()));
                this.turboQuant = null;
                this.mixed = null;
                this.keptData = null;
            }
            case RTN -> {
                int bits = r.require(entry.bits(), "bits");
                this.baseline = new RtnMatrix(rows, cols, bits, r.part("codes", DType.U8, rows, RtnMatrix.rowStrideBytes(cols, bits)),
                        PartBytes.toFloats(r.part("scales", DType.F32, rows), DType.F32));
                this.turboQuant = null;
                this.mixed = null;
                this.keptData = null;
            }
            case KEPT -> {
                DType dtype = DType.fromId(entry.dtype()).orElseThrow(() -> r.bad("unknown dtype " + entry.dtype()));
                this.keptData = r.part("data", dtype, entry.shape());
                this.turboQuant = null;
                this.mixed = null;
                this.baseline = null;
            }
            default -> throw new IllegalStateException();
        }
        if (parts == null) throw r.bad("no parts");
    }

    /** The tensor's code order: row order unless a version-3 manifest names another (docs/FORMAT.md §19). */
    private static CodeLayout codeLayout(PartReader r, Manifest.TensorEntry entry, BlockLayout layout) {
        if (entry.codeLayout() == null) return CodeLayout.ROWS;
        CodeLayout l;
        try {
            l = CodeLayout.parse(entry.codeLayout());
        } catch (IllegalArgumentException e) {
            throw r.bad(e.getMessage());
        }
        if (l == CodeLayout.ROW_GROUPS_16 && !CodeLayout.groupable(layout))
            throw r.bad("code_layout " + l.id() + " needs a block size that is a multiple of " + BitPacking.CHUNK
                    + ", got " + layout.blockSize());
        return l;
    }

    /** [rows, rowStrideBytes] in row order; [blocksPerRow, groups, bytesPerBlock, 16] grouped. */
    private static long[] codesShape(CodeLayout codeLayout, int rows, BlockLayout layout, int bits) {
        long stride = BitPacking.packedBytes(layout.paddedCols(), bits);
        if (codeLayout == CodeLayout.ROWS) return new long[] {rows, stride};
        int groups = (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS, nb = layout.blocksPerRow();
        return new long[] {nb, groups, stride / nb, CodeLayout.GROUP_ROWS};
    }

    /** Reads and checks the parts of a mixed-width tensor; the matrix (and its rotation) is built on first use. */
    private static Lazy<MixedQuantizedMatrix> mixedMatrix(PartReader r, Manifest.TensorEntry entry, BlockLayout layout,
                                                          RotationKind kind, long seed, int bits, float[] centroids,
                                                          float[] scales) {
        int rows = entry.rows();
        int wideBits = entry.wideBits();
        if (wideBits <= bits || wideBits > 8) throw r.bad("wide_bits " + wideBits + " must be in " + (bits + 1) + "..8");
        long units = (long) rows * MixedLayout.unitsPerRow(layout);
        long wideUnits = r.require(entry.wideUnits(), "wide_units");
        if (wideUnits < 0 || wideUnits > units) throw r.bad("wide_units " + wideUnits + " not in 0.." + units);
        byte[] bitmap = r.part("widths", DType.U8, MixedLayout.bitmapBytes(units)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        MixedLayout mixedLayout;
        try {
            mixedLayout = MixedLayout.of(rows, layout, bitmap);
        } catch (IllegalArgumentException e) {
            throw r.bad(e.getMessage());
        }
        if (mixedLayout.totalUnits(true) != wideUnits)
            throw r.bad("width map marks " + mixedLayout.totalUnits(true) + " wide units, manifest says " + wideUnits);
        int unitIndices = mixedLayout.unitIndices();
        long codeBytes = MixedQuantizedMatrix.codeBytes(mixedLayout, BitPacking.packedBytes(unitIndices, bits),
                BitPacking.packedBytes(unitIndices, wideBits), rows);
        MemorySegment codes = r.part("codes", DType.U8, codeBytes);
        float[] wideCentroids = PartBytes.toFloats(r.part("wide_centroids", DType.F32, 1L << wideBits), DType.F32);
        return new Lazy<>(() -> new MixedQuantizedMatrix(mixedLayout, Rotation.of(kind, layout.blockSize(), seed), bits,
                centroids, wideBits, wideCentroids, codes, scales));
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
    public boolean mixedWidths() { return mixed != null; }

    /** Stored bits per weight, every part included. */
    public double bitsPerWeight() { return entry.bitsPerWeight(); }

    /** Whether the quantized matrix is the transpose of the source (ONNX MatMul weights). */
    public boolean transposed() { return entry.transposed(); }

    public boolean quantized() { return method != Method.KEPT; }

    public Manifest.TensorEntry manifestEntry() { return entry; }

    /** The TurboQuant matrix, for direct use with the kernels; null for other methods. */
    public QuantizedMatrix matrix() {
        beforeDataUse();
        return turboQuant == null ? null : turboQuant.get();
    }

    /** The mixed-width TurboQuant matrix, for direct use with the kernels; null for other tensors. */
    public MixedQuantizedMatrix mixedMatrix() {
        beforeDataUse();
        return mixed == null ? null : mixed.get();
    }

    /** Rows of the quantized matrix (outputs); for a kept 2-D tensor, its first dimension. */
    @Override
    public int rows() { return method == Method.KEPT ? keptDim(0) : entry.rows(); }

    /** Columns of the quantized matrix (the reduction dimension); for a kept 2-D tensor, its second dimension. */
    @Override
    public int cols() { return method == Method.KEPT ? keptDim(1) : entry.cols(); }

    // ---- TEMP WeightMatrix shim (replaced by the api branch): correct, not fast; copies through the old API ----

    private int keptDim(int d) {
        long[] s = entry.shape();
        if (s == null || s.length != 2) throw new UnsupportedOperationException(name() + " is not a 2-D tensor");
        return Math.toIntExact(s[d]);
    }

    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        matmul(x, xOff, 1, y, yOff, bias, accumulate);
    }

    @Override
    public void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        int rows = rows(), cols = cols();
        java.util.Objects.checkFromIndexSize(xOff, Math.multiplyExact(batch, cols), x.length);
        java.util.Objects.checkFromIndexSize(yOff, Math.multiplyExact(batch, rows), y.length);
        if (bias != null && bias.length < rows) throw new IllegalArgumentException(name() + ": bias shorter than " + rows);
        float[] xb = java.util.Arrays.copyOfRange(x, xOff, xOff + batch * cols);
        float[] yb = new float[batch * rows];
        if (method == Method.KEPT) {
            float[] w = dequantize();
            for (int b = 0; b < batch; b++)
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) s += (double) w[r * cols + c] * xb[b * cols + c];
                    yb[b * rows + r] = (float) s;
                }
        } else {
            matmul(xb, batch, yb);
        }
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < rows; r++) {
                int i = yOff + b * rows + r;
                y[i] = (accumulate ? y[i] : 0) + yb[b * rows + r] + (bias == null ? 0 : bias[r]);
            }
    }

    @Override
    public void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias,
                       boolean accumulate) {
        int rows = rows(), cols = cols();
        float[] xa = new float[batch * cols], ya = new float[batch * rows];
        MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, xByteOff, xa, 0, xa.length);
        if (accumulate) MemorySegment.copy(y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya, 0, ya.length);
        matmul(xa, 0, batch, ya, 0, bias, accumulate);
        MemorySegment.copy(ya, 0, y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya.length);
    }

    @Override
    public void warmUp() {
        if (method != Method.KEPT) prepare();
        matvec(new float[cols()], new float[rows()]);
    }

    // ---- end of the TEMP shim ----

    public long numel() {
        return Shapes.numel(entry.shape());
    }

    /** The whole tensor as floats, in the source's shape and orientation (row-major). */
    public float[] dequantize() {
        beforeDataUse();
        if (method == Method.KEPT) {
            float[] out = new float[Math.toIntExact(numel())];
            DType dtype = DType.fromId(entry.dtype()).orElseThrow();
            if (!dtype.isFloat()) throw new UnsupportedOperationException(name() + " is " + dtype.id() + ", not a float tensor");
            org.turboquant.loader.safetensors.FloatCodec.decode(keptData, dtype, 0, out, 0, out.length);
            return out;
        }
        int rows = entry.rows(), cols = entry.cols();
        float[] m;
        if (baseline != null) {
            m = baseline.dequantize();
        } else if (mixed != null) {
            m = new float[Math.multiplyExact(rows, cols)];
            TurboQuantKernels kernels = TurboQuantKernels.get();
            MixedQuantizedMatrix q = mixed.get();
            for (int r = 0; r < rows; r++) kernels.dequantizeRow(q, r, m, r * cols);
        } else {
            m = new float[Math.multiplyExact(rows, cols)];
            TurboQuantKernels kernels = TurboQuantKernels.get();
            QuantizedMatrix q = turboQuant.get();
            for (int r = 0; r < rows; r++) kernels.dequantizeRow(q, r, m, r * cols);
        }
        return entry.transposed() ? transpose(m, rows, cols) : m;
    }

    /** {@link #dequantize()} into {@code dst} as native-order floats, starting at byte 0. */
    public void dequantize(MemorySegment dst) {
        float[] all = dequantize();
        MemorySegment.copy(all, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, all.length);
    }

    /**
     * Optional: does now the one-time work of the first product, e.g. while a server starts rather than on its first
     * request: the kernels' JIT warm-up, and for a 1- to 4-bit tensor stored in row order (a version-1/2 pack) the
     * regrouped copy the table kernels read. A version-3 pack's grouped codes are read in place: nothing is copied.
     */
    public void prepare() {
        requireMatrix();
        beforeDataUse();
        if (baseline == null && mixed == null) TurboQuantKernels.get().prepare(turboQuant.get());
    }

    /** y = W·x with W the quantized matrix (rows × cols); x has cols elements, y rows. */
    @Override
    public void matvec(float[] x, float[] y) {
        if (method == Method.KEPT) {
            matvec(x, 0, y, 0, null, false);
            return;
        }
        requireMatrix();
        beforeDataUse();
        if (baseline != null) baseline.gemv(x, y); // baselines are here for comparison: scalar reference products
        else if (mixed != null) ParallelMatmul.shared().gemv(mixed.get(), x, y);
        else ParallelMatmul.shared().gemv(turboQuant.get(), x, y);
    }

    /** Y = W·X for {@code batch} row-major input vectors (batch × cols); Y is batch × rows. */
    public void matmul(float[] x, int batch, float[] y) {
        requireMatrix();
        beforeDataUse();
        if (mixed != null) {
            ParallelMatmul.shared().gemm(mixed.get(), x, batch, y);
            return;
        }
        if (method == Method.TURBOQUANT) {
            ParallelMatmul.shared().gemm(turboQuant.get(), x, batch, y);
            return;
        }
        int rows = entry.rows(), cols = entry.cols();
        float[] xb = new float[cols], yb = new float[rows];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, b * cols, xb, 0, cols);
            matvec(xb, yb);
            System.arraycopy(yb, 0, y, b * rows, rows);
        }
    }

    /**
     * Row {@code r} of the quantized matrix (rows × cols, see {@link #transposed()}) decoded into
     * {@code out[outOff .. outOff + cols)}; for a kept 2-D float tensor, row r of the source.
     */
    public void row(int r, float[] out, int outOff) {
        beforeDataUse();
        int rows = method == Method.KEPT ? keptRows() : entry.rows(), cols = method == Method.KEPT ? keptCols() : entry.cols();
        java.util.Objects.checkIndex(r, rows);
        java.util.Objects.checkFromIndexSize(outOff, cols, out.length);
        if (method == Method.KEPT) {
            org.turboquant.loader.safetensors.FloatCodec.decode(keptData, DType.fromId(entry.dtype()).orElseThrow(),
                    (long) r * cols, out, outOff, cols);
        } else if (baseline != null) {
            baseline.dequantizeRow(r, out, outOff);
        } else if (mixed != null) {
            TurboQuantKernels.get().dequantizeRow(mixed.get(), r, out, outOff);
        } else {
            TurboQuantKernels.get().dequantizeRow(turboQuant.get(), r, out, outOff);
        }
    }

    private int keptRows() {
        requireKept2dFloat();
        return Math.toIntExact(entry.shape()[0]);
    }

    private int keptCols() {
        requireKept2dFloat();
        return Math.toIntExact(entry.shape()[1]);
    }

    private void requireKept2dFloat() {
        if (entry.shape().length != 2 || !DType.fromId(entry.dtype()).orElseThrow().isFloat())
            throw new UnsupportedOperationException(name() + " is a kept " + entry.dtype()
                    + java.util.Arrays.toString(entry.shape()) + " tensor, not a 2-D float matrix");
    }

    /** The verification hook: every public method that reads the tensor's data calls this first. */
    private void beforeDataUse() {
        checksum.verifyOnce();
    }

    private void requireMatrix() {
        if (method == Method.KEPT) throw new UnsupportedOperationException(name() + " is kept, not a quantized matrix");
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
        }
        return out;
    }

    /** A value computed once, on first use, by whichever thread gets there first. */
    private static final class Lazy<T> {
        private final java.util.function.Supplier<T> supplier;
        private volatile T value;

        Lazy(java.util.function.Supplier<T> supplier) {
            this.supplier = supplier;
        }

        T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) value = v = supplier.get();
                }
            }
            return v;
        }
    }

    /** Looks up and checks a tensor's parts in the weights file. */
    private static final class PartReader {
        private final SafetensorsFile weights;
        private final Path manifestFile;
        private final Manifest.TensorEntry entry;

        PartReader(SafetensorsFile weights, Path packDir, Manifest.TensorEntry entry) {
            this.weights = weights;
            this.manifestFile = packDir.resolve(Manifest.FILE_NAME);
            this.entry = entry;
        }

        MemorySegment part(String role, DType dtype, long... shape) {
            String partName = entry.parts() == null ? null : entry.parts().get(role);
            if (partName == null) throw bad("no '" + role + "' part in the manifest");
            if (!weights.contains(partName))
                throw new BadInputException(weights.path(), entry.name(), "part '" + partName + "' named by the manifest is missing");
            TensorInfo info = weights.info(partName);
            if (info.dtype() != dtype || !java.util.Arrays.equals(info.shape(), shape))
                throw new BadInputException(weights.path(), entry.name(), "part '" + partName + "' is " + info.dtype().id()
                        + java.util.Arrays.toString(info.shape()) + ", expected " + dtype.id() + java.util.Arrays.toString(shape));
            return weights.segment(info);
        }

        <T> T require(T value, String field) {
            if (value == null) throw bad("missing field '" + field + "'");
            return value;
        }

        BadInputException bad(String problem) {
            return new BadInputException(manifestFile, entry.name(), problem);
        }
    }
}
