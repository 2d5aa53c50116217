package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.TurboQuantKernels;

/**
 * The Vector API kernels at one vector width. Loaded reflectively by the provider so that nothing outside this
 * package links against {@code jdk.incubator.vector}.
 *
 * <p>Arithmetic order (shared by every path, so GEMV, GEMM and the fused loop agree bit for bit): per row, per
 * block, one vector accumulator takes centroid·(P x) lane chunks in ascending order (masked at a ragged block end);
 * it is folded into the row's vector sum times the block scale; the row sum is reduced once at the end.
 */
public final class PanamaKernels implements TurboQuantKernels {
    private static final int MAX_BATCH = 64;

    private final VectorSpecies<Float> floats;
    private final VectorSpecies<Integer> ints;
    private final int lanes;
    private final VectorRotations rotations;

    private PanamaKernels(int vectorBits) {
        VectorShape shape = VectorShape.forBitSize(vectorBits);
        this.floats = VectorSpecies.of(float.class, shape);
        this.ints = VectorSpecies.of(int.class, shape);
        this.lanes = floats.length();
        this.rotations = new VectorRotations(floats);
    }

    /**
     * Kernels at {@code vectorBits} (128, 256 or 512), or at the preferred width for 0. A forced width above the
     * hardware's is capped to it (wider species would be emulated, far slower than the scalar path).
     */
    public static PanamaKernels create(int vectorBits) {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return new PanamaKernels(vectorBits == 0 ? preferred : Math.min(checkWidth(vectorBits), preferred));
    }

    /** Kernels at exactly {@code vectorBits}, even beyond the hardware's width (tests cover every width). */
    public static PanamaKernels ofWidth(int vectorBits) {
        return new PanamaKernels(checkWidth(vectorBits));
    }

    private static int checkWidth(int bits) {
        if (bits != 128 && bits != 256 && bits != 512)
            throw new IllegalArgumentException("vector width must be 128, 256 or 512, got " + bits);
        return bits;
    }

    @Override
    public String name() {
        return "panama-" + floats.vectorBitSize();
    }

    @Override
    public void unpack(MemorySegment src, long srcOff, int count, int bits, byte[] dst, int dstOff) {
        byte[] tail = new byte[GroupDecoder.GROUP];
        for (int t = 0, i = 0; i < count; t++, i += GroupDecoder.GROUP) {
            ByteVector v = GroupDecoder.decode(src, GroupDecoder.chunkBase(srcOff, t, bits), t & 7, bits);
            if (count - i >= GroupDecoder.GROUP) {
                v.intoArray(dst, dstOff + i);
            } else {
                v.intoArray(tail, 0);
                System.arraycopy(tail, 0, dst, dstOff + i, count - i);
            }
        }
    }

    @Override
    public void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        checkRow(m, row);
        int g = m.blockSize();
        float[] values = decodeRow(m, new CentroidTable(ints, m.centroids()), row, null);
        float[] tmp = new float[g];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            rotations.unrotate(m.rotation(), values, k * g, tmp);
            float scale = m.scale(row, k);
            int len = m.layout().blockLength(k);
            for (int j = 0; j < len; j++) dst[dstOff + k * g + j] = scale * values[k * g + j];
        }
    }

    @Override
    public void gemv(QuantizedMatrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        checkRange(m, rowStart, rowEnd);
        float[] rotated = rotateInput(m, x, 0);
        CentroidTable table = new CentroidTable(ints, m.centroids());
        if (m.blockSize() % GroupDecoder.GROUP == 0) {
            for (int r = rowStart; r < rowEnd; r++) y[r] = fusedRowDot(m, table, r, rotated);
        } else {
            float[] values = null;
            for (int r = rowStart; r < rowEnd; r++) {
                values = decodeRow(m, table, r, values);
                y[r] = decodedRowDot(m, r, values, rotated);
            }
        }
    }

    @Override
    public void gemm(QuantizedMatrix m, float[] x, int batch, float[] y, int rowStart, int rowEnd) {
        checkRange(m, rowStart, rowEnd);
        if (batch < 1 || batch > MAX_BATCH) throw new IllegalArgumentException("batch must be in 1..64, got " + batch);
        float[][] rotated = new float[batch][];
        for (int b = 0; b < batch; b++) rotated[b] = rotateInput(m, x, b * m.cols());
        CentroidTable table = new CentroidTable(ints, m.centroids());
        float[] values = null;
        for (int r = rowStart; r < rowEnd; r++) {
            values = decodeRow(m, table, r, values); // decoded once, reused by every input of the batch
            for (int b = 0; b < batch; b++) y[b * m.rows() + r] = decodedRowDot(m, r, values, rotated[b]);
        }
    }

    /** For each block k: P·(x_k zero-padded to g), as blocksPerRow·g floats (computed once per product). */
    public float[] rotateInput(QuantizedMatrix m, float[] x, int xOff) {
        int g = m.blockSize();
        float[] out = new float[m.layout().paddedCols()];
        float[] tmp = new float[g];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            System.arraycopy(x, xOff + k * g, out, k * g, m.layout().blockLength(k));
            rotations.rotate(m.rotation(), out, k * g, tmp);
        }
        return out;
    }

    /**
     * The hot loop, for blocks that are whole 16-index groups: decode 16 indices, widen to int lanes, look up,
     * FMA against the rotated input; no intermediate array.
     */
    private float fusedRowDot(QuantizedMatrix m, CentroidTable table, int row, float[] rotated) {
        MemorySegment codes = m.codes();
        int bits = m.bits();
        long rowBase = row * m.rowStrideBytes();
        int groupsPerBlock = m.blockSize() / GroupDecoder.GROUP;
        int partsPerGroup = GroupDecoder.GROUP / lanes;
        float[] scales = m.scales();
        int scaleBase = row * m.blocksPerRow();
        FloatVector sum = FloatVector.zero(floats);
        int group = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            FloatVector acc = FloatVector.zero(floats);
            for (int end = group + groupsPerBlock; group < end; group++) {
                ByteVector idx = GroupDecoder.decode(codes, GroupDecoder.chunkBase(rowBase, group, bits), group & 7, bits);
                int xi = group * GroupDecoder.GROUP;
                for (int p = 0; p < partsPerGroup; p++, xi += lanes) {
                    FloatVector c = table.lookup(widen(idx, p));
                    acc = c.fma(FloatVector.fromArray(floats, rotated, xi), acc);
                }
            }
            sum = acc.fma(FloatVector.broadcast(floats, scales[scaleBase + k]), sum);
        }
        return LaneSums.sum(sum, new float[lanes]);
    }

    /** Row times a rotated input, from centroid values already decoded by {@link #decodeRow}. */
    private float decodedRowDot(QuantizedMatrix m, int row, float[] values, float[] rotated) {
        int g = m.blockSize();
        float[] scales = m.scales();
        int scaleBase = row * m.blocksPerRow();
        FloatVector sum = FloatVector.zero(floats);
        for (int k = 0; k < m.blocksPerRow(); k++) {
            FloatVector acc = FloatVector.zero(floats);
            int off = k * g, end = off + g;
            int i = off;
            for (; i <= end - lanes; i += lanes) {
                acc = FloatVector.fromArray(floats, values, i).fma(FloatVector.fromArray(floats, rotated, i), acc);
            }
            if (i < end) {
                VectorMask<Float> tail = floats.indexInRange(i, end);
                acc = FloatVector.fromArray(floats, values, i, tail)
                        .fma(FloatVector.fromArray(floats, rotated, i, tail), acc);
            }
            sum = acc.fma(FloatVector.broadcast(floats, scales[scaleBase + k]), sum);
        }
        return LaneSums.sum(sum, new float[lanes]);
    }

    /** centroids[idx] for every index of the row, rounded up to whole 16-index groups; reuses {@code dst} if big enough. */
    private float[] decodeRow(QuantizedMatrix m, CentroidTable table, int row, float[] dst) {
        int groups = (m.layout().paddedCols() + GroupDecoder.GROUP - 1) / GroupDecoder.GROUP;
        if (dst == null || dst.length < groups * GroupDecoder.GROUP) dst = new float[groups * GroupDecoder.GROUP];
        long rowBase = row * m.rowStrideBytes();
        int bits = m.bits();
        for (int t = 0; t < groups; t++) {
            ByteVector idx = GroupDecoder.decode(m.codes(), GroupDecoder.chunkBase(rowBase, t, bits), t & 7, bits);
            for (int p = 0; p < GroupDecoder.GROUP / lanes; p++) {
                table.lookup(widen(idx, p)).intoArray(dst, t * GroupDecoder.GROUP + p * lanes);
            }
        }
        return dst;
    }

    /** Byte lanes [p·L, (p+1)·L) zero-extended to int lanes. */
    private IntVector widen(ByteVector idx, int part) {
        return (IntVector) idx.convertShape(VectorOperators.ZERO_EXTEND_B2I, ints, part);
    }

    private static void checkRow(QuantizedMatrix m, int row) {
        if (row < 0 || row >= m.rows()) throw new IndexOutOfBoundsException("row " + row + " of " + m.rows());
    }

    private static void checkRange(QuantizedMatrix m, int rowStart, int rowEnd) {
        if (rowStart < 0 || rowEnd > m.rows() || rowStart > rowEnd)
            throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + m.rows());
    }
}
