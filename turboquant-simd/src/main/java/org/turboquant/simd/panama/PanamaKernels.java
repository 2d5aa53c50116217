package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.Rotation;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TurboQuantKernels;

/**
 * The Vector API kernels at one vector width. Loaded reflectively by the provider so that nothing outside this
 * package links against {@code jdk.incubator.vector}.
 *
 * <p>Which kernel multiplies: at 512 bits with blocks of whole 128-index chunks, 1/2/4-bit matrices go to
 * {@link TableDot} (the input folded into look-up tables, 16 rows per vector, on the codes in grouped order: stored so
 * in a version-3 pack, else regrouped once, {@link RowGroups}),
 * the widths {@link PackedDot} covers to its row-at-a-time packed-byte kernels; everything else (other widths,
 * smaller blocks, 256/128-bit JVMs) to the generic path below. In the int8 mode ({@link KernelMode}) the 1/2/4-bit
 * products go to {@link Int8TableDot} instead, 8-bit ones to {@link Int8LevelDot8} and grouped mixed-width ones of
 * 1/2/4/5-bit cells to {@link Int8MixedTableDot}. Each kernel documents its own arithmetic order; GEMM equals GEMV bit
 * for bit, with one exception: in the float and auto modes a 1/2/4-bit GEMM of {@link DecodeGemm#MIN_BATCH} or more
 * inputs runs {@link DecodeGemm} (the codes decoded once for several inputs), whose results differ from GEMV's by
 * float rounding (both within 1e-5 of the reference) and depend on neither the batch's other inputs nor the rows
 * asked for.
 *
 * <p>Generic path's order: per row, per block, one vector accumulator takes centroid·(P x) lane chunks in ascending
 * order (masked at a ragged block end); it is folded into the row's vector sum times the block scale; the row sum is
 * reduced once at the end.
 */
public final class PanamaKernels implements TurboQuantKernels {
    private static final int MAX_BATCH = 64;

    /** One instance per {@link KernelMode}; they share everything but the choice of the 1/2/4-bit kernel. */
    private static final Map<KernelMode, PanamaKernels> INSTANCES = instances();
    /** -Dturboquant.intKernels, read once: what {@link #create} returns. */
    private static final KernelMode DEFAULT_MODE = KernelMode.fromSystemProperty();

    private final int lanes = Lanes.LENGTH;
    private final VectorRotations rotations = new VectorRotations();
    private final KernelMode mode;

    private PanamaKernels(KernelMode mode) {
        this.mode = mode;
    }

    private static Map<KernelMode, PanamaKernels> instances() {
        Map<KernelMode, PanamaKernels> m = new EnumMap<>(KernelMode.class);
        for (KernelMode k : KernelMode.values()) m.put(k, new PanamaKernels(k));
        return m;
    }

    /**
     * The kernels at this JVM's width ({@link Lanes}). {@code vectorBits} is what the provider read from
     * {@code -Dturboquant.vectorBits} (0 = widest); it must agree with the width fixed at class initialization.
     */
    public static PanamaKernels create(int vectorBits) {
        if (vectorBits != 0 && Math.min(vectorBits, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize())
                != Lanes.F.vectorBitSize())
            throw new IllegalStateException("vector width is fixed per JVM at " + Lanes.F.vectorBitSize()
                    + " bits (set -Dturboquant.vectorBits before first use), asked for " + vectorBits);
        return INSTANCES.get(DEFAULT_MODE);
    }

    @Override
    public KernelMode mode() {
        return mode;
    }

    @Override
    public PanamaKernels withMode(KernelMode mode) {
        return INSTANCES.get(java.util.Objects.requireNonNull(mode, "mode"));
    }

    /** The vector width in bits these kernels run at. */
    public int vectorBits() {
        return Lanes.F.vectorBitSize();
    }

    @Override
    public String name() {
        return "panama-" + vectorBits();
    }

    @Override
    public String describe() {
        boolean wide = lanes == 16;
        return name() + ": Vector API, " + vectorBits() + "-bit vectors; 1/2/4-bit table kernels: "
                + (wide && TableDot.enabled() ? "on" : wide ? "off (-Dturboquant.rowGroups=false)" : "off (need 512-bit vectors)")
                + "; packed-byte kernels 1/2/4/5-bit: " + (wide ? "on" : "off (need 512-bit vectors)")
                + ", 8-bit: " + (wide && CpuFlags.VBMI ? "on (AVX-512 VBMI)" : "off" + (wide ? " (no AVX-512 VBMI)" : ""))
                + "; int8 table kernels (mode " + mode.id() + "): " + int8Widths()
                + "; other widths and block sizes: generic decode-and-FMA";
    }

    /** Which widths this instance multiplies with {@link Int8TableDot}, and why not where none. */
    private String int8Widths() {
        if (lanes != 16 || !TableDot.enabled()) return "off (no table kernels)";
        if (!CpuFlags.VBMI) return "off (no AVX-512 VBMI)";
        StringBuilder on = new StringBuilder();
        for (int b : new int[] {1, 2, 4}) if (IntKernels.enabled(mode, b)) on.append(on.isEmpty() ? "" : "/").append(b);
        if (!on.isEmpty()) on.append("-bit");
        if (IntKernels.enabled(mode, 8)) on.append(on.isEmpty() ? "" : ", ").append("8-bit as int8 levels");
        if (IntKernels.enabled(mode, 5)) on.append(on.isEmpty() ? "" : ", ").append("mixed 4/5-bit cells");
        return on.isEmpty() ? "off" : on.toString();
    }

    @Override
    public void unpack(MemorySegment src, long srcOff, int count, int bits, byte[] dst, int dstOff) {
        byte[] idx = new byte[roundUpToGroup(count)];
        GroupDecoder.decodeRun(src, srcOff, count, bits, idx);
        System.arraycopy(idx, 0, dst, dstOff, count);
    }

    @Override
    public void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        checkRow(m, row);
        int g = m.blockSize();
        float[] values = new float[roundUpToGroup(m.layout().paddedCols())];
        decodeRow(m, new CentroidTable(Lanes.I, m.centroids()), row, new byte[values.length], values);
        float[] tmp = new float[g];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            rotations.unrotate(m.rotation(), values, k * g, tmp);
            float scale = m.scale(row, k);
            int len = m.layout().blockLength(k);
            for (int j = 0; j < len; j++) dst[dstOff + k * g + j] = scale * values[k * g + j];
        }
    }

    @Override
    public void prepare(QuantizedMatrix m) {
        if (TableDot.supports(m)) RowGroups.of(m); // grouped codes: a view, nothing built; row order: regrouped now
        else RowOrder.of(m); // row order: m itself; grouped codes a row kernel must read: their row-order copy now
        KernelWarmUp.warm(this, m);
    }

    @Override
    public void gemvRotated(QuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        checkRange(m, rowStart, rowEnd);
        if (Int8TableDot.supports(mode, m)) { // b = 1, 2, 4 with VBMI: the same tables in int8, byte permutes (IntKernels)
            Int8TableDot.gemm(m, new float[][] {rotated}, y, rowStart, rowEnd);
            return;
        }
        if (TableDot.supports(m)) { // b = 1, 2, 4 at 512 bits, whole-chunk blocks: the input in look-up tables
            TableDot.gemm(m, new float[][] {rotated}, y, rowStart, rowEnd);
            return;
        }
        m = RowOrder.of(m); // the kernels below read whole rows
        if (Int8LevelDot8.supports(mode, m)) { // b = 8 in the int8 mode: the centroids as int8 levels
            Int8LevelDot8.gemm(m, new float[][] {rotated}, y, rowStart, rowEnd);
            return;
        }
        if (PackedDot.supports(m)) { // b = 5, or row groups switched off: straight from packed bytes, row by row
            PackedDot.gemv(m, rotated, y, rowStart, rowEnd);
            return;
        }
        CentroidTable table = new CentroidTable(Lanes.I, m.centroids());
        int n = roundUpToGroup(m.layout().paddedCols());
        byte[] idx = new byte[n];
        float[] sums = new float[lanes];
        if (m.blockSize() % GroupDecoder.GROUP == 0 && table.inRegisters()) {
            IntVector low = table.low(), high = table.high(); // locals, so they stay in registers
            for (int r = rowStart; r < rowEnd; r++) {
                GroupDecoder.decodeRun(m.codes(), r * m.rowStrideBytes(), m.layout().paddedCols(), m.bits(), idx);
                y[r] = fusedRowDot(m, low, high, r, rotated, idx, sums);
            }
        } else {
            float[] values = new float[n];
            for (int r = rowStart; r < rowEnd; r++) {
                decodeRow(m, table, r, idx, values);
                y[r] = decodedRowDot(m, r, values, rotated, sums);
            }
        }
    }

    @Override
    public void gemmRotated(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        checkRange(m, rowStart, rowEnd);
        int batch = rotated.length;
        if (batch < 1 || batch > MAX_BATCH) throw new IllegalArgumentException("batch must be in 1..64, got " + batch);
        if (mode != KernelMode.INT8 && batch >= DecodeGemm.MIN_BATCH && DecodeGemm.supports(m)) {
            DecodeGemm.gemm(m, rotated, y, rowStart, rowEnd); // decoded codes shared by the inputs: not GEMV's order
            return;
        }
        if (Int8TableDot.supports(mode, m)) { // same arithmetic as its gemv, so GEMM still equals GEMV bit for bit
            Int8TableDot.gemm(m, rotated, y, rowStart, rowEnd);
            return;
        }
        if (TableDot.supports(m)) { // same arithmetic order as its gemv, so GEMM still equals GEMV bit for bit
            TableDot.gemm(m, rotated, y, rowStart, rowEnd);
            return;
        }
        m = RowOrder.of(m); // the kernels below read whole rows
        if (Int8LevelDot8.supports(mode, m)) { // same loop as its gemv per input: GEMM equals GEMV bit for bit
            Int8LevelDot8.gemm(m, rotated, y, rowStart, rowEnd);
            return;
        }
        if (PackedDot.supports(m)) { // same arithmetic order as its gemv, so GEMM still equals GEMV bit for bit
            PackedDot.gemm(m, rotated, y, rowStart, rowEnd);
            return;
        }
        CentroidTable table = new CentroidTable(Lanes.I, m.centroids());
        int n = roundUpToGroup(m.layout().paddedCols());
        byte[] idx = new byte[n];
        float[] values = new float[n];
        float[] sums = new float[lanes];
        for (int r = rowStart; r < rowEnd; r++) {
            decodeRow(m, table, r, idx, values); // decoded once, reused by every input of the batch
            for (int b = 0; b < batch; b++) y[b * m.rows() + r] = decodedRowDot(m, r, values, rotated[b], sums);
        }
    }

    @Override
    public float[] rotateInput(QuantizedMatrix m, float[] x, int xOff) {
        return rotateInput(m.layout(), m.rotation(), x, xOff);
    }

    private float[] rotateInput(BlockLayout layout, Rotation rotation, float[] x, int xOff) {
        int g = layout.blockSize();
        float[] out = new float[layout.paddedCols()];
        float[] tmp = new float[g];
        for (int k = 0; k < layout.blocksPerRow(); k++) {
            System.arraycopy(x, xOff + k * g, out, k * g, layout.blockLength(k));
            rotations.rotate(rotation, out, k * g, tmp);
        }
        return out;
    }

    @Override
    public void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff) {
        if (row < 0 || row >= m.rows()) throw new IndexOutOfBoundsException("row " + row + " of " + m.rows());
        MixedRowKernels.dequantizeRow(m, row, dst, dstOff, rotations); // a grouped row is gathered, not copied
    }

    @Override
    public void prepare(MixedQuantizedMatrix m) {
        if (!MixedTableDot.supports(m)) rowOrder(m); // grouped codes the row kernels must read: their copy now
        KernelWarmUp.warm(this, m);
    }

    @Override
    public float[] rotateInput(MixedQuantizedMatrix m, float[] x, int xOff) {
        return rotateInput(m.blocks(), m.rotation(), x, xOff);
    }

    @Override
    public void gemvRotated(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        checkRange(m.rows(), rowStart, rowEnd);
        if (Int8MixedTableDot.supports(mode, m)) Int8MixedTableDot.gemm(m, new float[][] {rotated}, y, rowStart, rowEnd);
        else if (MixedTableDot.supports(m)) MixedTableDot.gemm(m, new float[][] {rotated}, y, rowStart, rowEnd);
        else MixedRowKernels.gemv(rowOrder(m), rotated, y, rowStart, rowEnd);
    }

    @Override
    public void gemmRotated(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        checkRange(m.rows(), rowStart, rowEnd);
        if (rotated.length < 1 || rotated.length > MAX_BATCH)
            throw new IllegalArgumentException("batch must be in 1..64, got " + rotated.length);
        // int8 at every batch size, also in auto: no decoded-codes GEMM for mixed rows, so GEMM equals GEMV bit for bit
        if (Int8MixedTableDot.supports(mode, m)) Int8MixedTableDot.gemm(m, rotated, y, rowStart, rowEnd);
        else if (MixedTableDot.supports(m)) MixedTableDot.gemm(m, rotated, y, rowStart, rowEnd);
        else MixedRowKernels.gemm(rowOrder(m), rotated, y, rowStart, rowEnd);
    }

    /**
     * m in row order, for the row-at-a-time mixed kernels: m itself, or for a grouped matrix these kernels cannot read
     * (vectors under 512 bits, -Dturboquant.rowGroups=false, or a wide width above 5) a copy made once and kept with it.
     */
    private static MixedQuantizedMatrix rowOrder(MixedQuantizedMatrix m) {
        if (!m.grouped()) return m;
        return m.derived(MixedRowKernels.class, MixedQuantizedMatrix.class,
                g -> org.turboquant.core.MixedGroupCodes.ungroup(g, java.lang.foreign.Arena.ofAuto()));
    }

    /**
     * The hot loop, for blocks that are whole 16-index groups and a codebook of at most 2·L entries (b ≤ 5 at 512
     * bits), over the row's indices already unpacked into {@code idx} (an L1-resident byte run): per L indices
     * widen to int lanes, look up with one two-register permute and FMA against the rotated input. Unpacking is a
     * separate call so that this method stays small enough for C2 to compile it whole, with every vector in a
     * register.
     */
    private float fusedRowDot(QuantizedMatrix m, IntVector low, IntVector high, int row, float[] rotated, byte[] idx,
                              float[] sums) {
        int groupsPerBlock = m.blockSize() / GroupDecoder.GROUP;
        int partsPerGroup = GroupDecoder.GROUP / lanes;
        float[] scales = m.scales();
        int scaleBase = row * m.blocksPerRow();
        FloatVector sum = Lanes.zero();
        int group = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            FloatVector acc = Lanes.zero();
            for (int end = group + groupsPerBlock; group < end; group++) {
                int xi = group * GroupDecoder.GROUP;
                ByteVector codes = ByteVector.fromArray(GroupDecoder.BYTES, idx, xi);
                for (int p = 0; p < partsPerGroup; p++, xi += lanes) {
                    acc = CentroidTable.lookup(Lanes.widen(codes, p), low, high).fma(Lanes.load(rotated, xi), acc);
                }
            }
            sum = acc.fma(Lanes.broadcast(scales[scaleBase + k]), sum);
        }
        return LaneSums.sum(sum, sums);
    }

    /** Row times a rotated input, from centroid values already decoded by {@link #decodeRow}. */
    private float decodedRowDot(QuantizedMatrix m, int row, float[] values, float[] rotated, float[] sums) {
        int g = m.blockSize();
        float[] scales = m.scales();
        int scaleBase = row * m.blocksPerRow();
        FloatVector sum = Lanes.zero();
        for (int k = 0; k < m.blocksPerRow(); k++) {
            FloatVector acc = Lanes.zero();
            int i = k * g, end = i + g;
            for (; i <= end - lanes; i += lanes) acc = Lanes.load(values, i).fma(Lanes.load(rotated, i), acc);
            if (i < end) acc = Lanes.loadUpTo(values, i, end).fma(Lanes.loadUpTo(rotated, i, end), acc);
            sum = acc.fma(Lanes.broadcast(scales[scaleBase + k]), sum);
        }
        return LaneSums.sum(sum, sums);
    }

    /** values[j] = centroids[idx_j] for every index of the row, in whole chunks (idx is scratch). */
    private void decodeRow(QuantizedMatrix m, CentroidTable table, int row, byte[] idx, float[] values) {
        int n = m.layout().paddedCols();
        if (m.codeLayout() == CodeLayout.ROWS) {
            GroupDecoder.decodeRun(m.codes(), row * m.rowStrideBytes(), n, m.bits(), idx);
        } else { // dequantizing a grouped matrix gathers the row's bytes rather than keeping a row-order copy
            byte[] packed = new byte[Math.toIntExact(m.rowStrideBytes())];
            m.rowCodes(row, packed, 0);
            GroupDecoder.decodeRun(MemorySegment.ofArray(packed), 0, n, m.bits(), idx);
        }
        if (!table.inRegisters()) {
            float[] centroids = table.centroids();
            for (int i = 0; i < n; i++) values[i] = centroids[idx[i] & 0xFF];
            return;
        }
        IntVector low = table.low(), high = table.high();
        for (int i = 0; i < n; i += GroupDecoder.GROUP) {
            ByteVector codes = ByteVector.fromArray(GroupDecoder.BYTES, idx, i);
            for (int p = 0; p < GroupDecoder.GROUP / lanes; p++) {
                CentroidTable.lookup(Lanes.widen(codes, p), low, high).intoArray(values, i + p * lanes);
            }
        }
    }

    /** Scratch length for n indices: decoding writes whole chunks. */
    private static int roundUpToGroup(int n) {
        return (n + BitPacking.CHUNK - 1) / BitPacking.CHUNK * BitPacking.CHUNK;
    }

    private static void checkRow(QuantizedMatrix m, int row) {
        if (row < 0 || row >= m.rows()) throw new IndexOutOfBoundsException("row " + row + " of " + m.rows());
    }

    private static void checkRange(QuantizedMatrix m, int rowStart, int rowEnd) {
        checkRange(m.rows(), rowStart, rowEnd);
    }

    private static void checkRange(int rows, int rowStart, int rowEnd) {
        if (rowStart < 0 || rowEnd > rows || rowStart > rowEnd)
            throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + rows);
    }
}
