package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Products and decoding for mixed-width matrices. A row is two runs of whole-chunk units (narrow, then wide);
 * each run is unpacked by {@link GroupDecoder} and looked up in its own {@link CentroidTable}, exactly as a
 * uniform row is, then each block is dotted against the rotated input of the block it came from.
 *
 * <p>Arithmetic order (core's reference order, and the same for GEMV and GEMM, which therefore agree bit for bit):
 * narrow units ascending, then wide units ascending; per block one vector accumulator over lane chunks (masked at
 * the block end), folded into the row's vector sum times the block scale; the row sum reduced lane 0 first.
 */
final class MixedRowKernels {
    private MixedRowKernels() {}

    /** Per-thread buffers for one matrix: unpacked indices, decoded centroids and the row's unit numbers. */
    private static final class Scratch {
        final CentroidTable narrow, wide;
        final byte[] idx;
        final float[][] values = new float[2][];
        final int[][] units = new int[2][];
        final int[] count = new int[2];
        final float[] sums = new float[Lanes.LENGTH];

        Scratch(MixedQuantizedMatrix m) {
            MixedLayout layout = m.layout();
            int n = layout.unitsPerRow() * layout.unitIndices();
            narrow = new CentroidTable(Lanes.I, m.narrow().centroids());
            wide = new CentroidTable(Lanes.I, m.wide().centroids());
            idx = new byte[n];
            for (int w = 0; w < 2; w++) {
                values[w] = new float[n];
                units[w] = new int[layout.unitsPerRow()];
            }
        }

        /** Decodes row r's runs of both widths into {@link #values} (index 0 narrow, 1 wide). */
        void decode(MixedQuantizedMatrix m, int row) {
            for (int w = 0; w < 2; w++) {
                boolean isWide = w == 1;
                int n = m.layout().rowUnits(row, isWide, units[w]);
                count[w] = n;
                int indices = n * m.layout().unitIndices();
                GroupDecoder.decodeRun(m.codes(), m.rowOffset(row, isWide), indices, m.part(isWide).bits(), idx);
                (isWide ? wide : narrow).decode(idx, indices, values[w]);
            }
        }
    }

    static void gemv(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        for (int r = rowStart; r < rowEnd; r++) {
            s.decode(m, r);
            y[r] = rowDot(m, r, s, rotated);
        }
    }

    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        for (int r = rowStart; r < rowEnd; r++) {
            s.decode(m, r); // once, reused by every input of the batch
            for (int b = 0; b < rotated.length; b++) y[b * m.rows() + r] = rowDot(m, r, s, rotated[b]);
        }
    }

    static void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff, VectorRotations rotations) {
        Scratch s = new Scratch(m);
        s.decode(m, row);
        MixedLayout layout = m.layout();
        int g = m.blockSize();
        float[] tmp = new float[g];
        for (int w = 0; w < 2; w++) {
            for (int i = 0; i < s.count[w]; i++) {
                int u = s.units[w][i];
                for (int t = 0; t < layout.blocksIn(u); t++) {
                    int k = layout.firstBlock(u) + t, off = i * layout.unitIndices() + t * g;
                    rotations.unrotate(m.rotation(), s.values[w], off, tmp);
                    float scale = m.scale(row, k);
                    int len = m.blocks().blockLength(k);
                    for (int j = 0; j < len; j++) dst[dstOff + k * g + j] = scale * s.values[w][off + j];
                }
            }
        }
    }

    private static float rowDot(MixedQuantizedMatrix m, int row, Scratch s, float[] rotated) {
        MixedLayout layout = m.layout();
        int g = m.blockSize(), lanes = Lanes.LENGTH;
        float[] scales = m.scales();
        int scaleBase = row * m.blocksPerRow();
        FloatVector sum = Lanes.zero();
        for (int w = 0; w < 2; w++) {
            float[] values = s.values[w];
            for (int i = 0; i < s.count[w]; i++) {
                int u = s.units[w][i];
                for (int t = 0; t < layout.blocksIn(u); t++) {
                    int k = layout.firstBlock(u) + t;
                    int v = i * layout.unitIndices() + t * g, x = k * g, end = v + g;
                    FloatVector acc = Lanes.zero();
                    for (; v <= end - lanes; v += lanes, x += lanes) acc = Lanes.load(values, v).fma(Lanes.load(rotated, x), acc);
                    if (v < end)
                        acc = Lanes.loadUpTo(values, v, end).fma(Lanes.loadUpTo(rotated, x, x + (end - v)), acc);
                    sum = acc.fma(Lanes.broadcast(scales[scaleBase + k]), sum);
                }
            }
        }
        return LaneSums.sum(sum, s.sums);
    }
}
