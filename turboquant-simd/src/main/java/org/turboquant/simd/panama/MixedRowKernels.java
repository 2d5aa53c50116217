package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Products and decoding for mixed-width matrices. A row is two runs of whole-chunk units (narrow, then wide);
 * each run is unpacked by {@link GroupDecoder} and looked up in its own {@link CentroidTable}, exactly as a
 * uniform row is, into one array of centroids; a flat list then says, for each block in that order, where its
 * centroids are, where its rotated input is and what its scale is, so the dot is one loop over blocks.
 *
 * <p>Arithmetic order (core's reference order, and the same for GEMV and GEMM, which therefore agree bit for bit):
 * narrow units ascending, then wide units ascending; per block one vector accumulator over lane chunks (masked at
 * the block end), folded into the row's vector sum times the block scale; the row sum reduced lane 0 first.
 */
final class MixedRowKernels {
    private MixedRowKernels() {}

    /** Per-thread buffers for one matrix: unpacked indices, the row's centroids and its block list. */
    private static final class Scratch {
        final MixedQuantizedMatrix m;
        final CentroidTable narrow, wide;
        final byte[] idx;
        final float[] values;
        final int[] units;
        final int[] valueOffset, inputOffset, blockOf;
        final float[] scale;
        final float[] sums = new float[Lanes.LENGTH];
        int blocks;

        Scratch(MixedQuantizedMatrix m) {
            this.m = m;
            MixedLayout layout = m.layout();
            int n = layout.unitsPerRow() * layout.unitIndices();
            narrow = new CentroidTable(Lanes.I, m.narrow().centroids());
            wide = new CentroidTable(Lanes.I, m.wide().centroids());
            idx = new byte[n];
            values = new float[n];
            units = new int[layout.unitsPerRow()];
            int b = m.blocksPerRow();
            valueOffset = new int[b];
            inputOffset = new int[b];
            blockOf = new int[b];
            scale = new float[b];
        }

        /** Decodes row r: centroids of its narrow run then its wide run into {@link #values}, and the block list. */
        void decode(int row) {
            MixedLayout layout = m.layout();
            int g = m.blockSize(), unitIndices = layout.unitIndices(), scaleBase = row * m.blocksPerRow();
            float[] scales = m.scales();
            int base = 0;
            blocks = 0;
            for (int w = 0; w < 2; w++) {
                boolean isWide = w == 1;
                int n = layout.rowUnits(row, isWide, units);
                int indices = n * unitIndices;
                GroupDecoder.decodeRun(m.codes(), m.rowOffset(row, isWide), indices, m.part(isWide).bits(), idx);
                (isWide ? wide : narrow).decode(idx, indices, values, base);
                for (int i = 0; i < n; i++) {
                    int u = units[i];
                    for (int t = 0; t < layout.blocksIn(u); t++) {
                        int k = layout.firstBlock(u) + t;
                        valueOffset[blocks] = base + i * unitIndices + t * g;
                        inputOffset[blocks] = k * g;
                        blockOf[blocks] = k;
                        scale[blocks++] = scales[scaleBase + k];
                    }
                }
                base += indices;
            }
        }

        /** The decoded row times a rotated input. */
        float dot(float[] rotated) {
            int g = m.blockSize();
            return g % Lanes.LENGTH == 0 ? wholeDot(rotated, g) : raggedDot(rotated, g);
        }

        /** Blocks of whole vectors: no tail, so no vector merges across a branch (C2 would box it). */
        private float wholeDot(float[] rotated, int g) {
            FloatVector sum = Lanes.zero();
            for (int b = 0; b < blocks; b++) {
                int v = valueOffset[b], x = inputOffset[b];
                FloatVector acc = Lanes.zero();
                for (int j = 0; j < g; j += Lanes.LENGTH) acc = Lanes.load(values, v + j).fma(Lanes.load(rotated, x + j), acc);
                sum = acc.fma(Lanes.broadcast(scale[b]), sum);
            }
            return LaneSums.sum(sum, sums);
        }

        private float raggedDot(float[] rotated, int g) {
            FloatVector sum = Lanes.zero();
            int full = g - g % Lanes.LENGTH;
            for (int b = 0; b < blocks; b++) {
                int v = valueOffset[b], x = inputOffset[b];
                FloatVector acc = Lanes.zero();
                for (int j = 0; j < full; j += Lanes.LENGTH) acc = Lanes.load(values, v + j).fma(Lanes.load(rotated, x + j), acc);
                acc = Lanes.loadUpTo(values, v + full, v + g).fma(Lanes.loadUpTo(rotated, x + full, x + g), acc);
                sum = acc.fma(Lanes.broadcast(scale[b]), sum);
            }
            return LaneSums.sum(sum, sums);
        }
    }

    static void gemv(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        for (int r = rowStart; r < rowEnd; r++) {
            s.decode(r);
            y[r] = s.dot(rotated);
        }
    }

    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        for (int r = rowStart; r < rowEnd; r++) {
            s.decode(r); // once, reused by every input of the batch
            for (int b = 0; b < rotated.length; b++) y[b * m.rows() + r] = s.dot(rotated[b]);
        }
    }

    static void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff, VectorRotations rotations) {
        Scratch s = new Scratch(m);
        s.decode(row);
        int g = m.blockSize();
        float[] tmp = new float[g];
        for (int b = 0; b < s.blocks; b++) {
            int k = s.blockOf[b], off = s.valueOffset[b];
            rotations.unrotate(m.rotation(), s.values, off, tmp);
            int len = m.blocks().blockLength(k);
            for (int j = 0; j < len; j++) dst[dstOff + k * g + j] = s.scale[b] * s.values[off + j];
        }
    }
}
