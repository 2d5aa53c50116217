package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Products and decoding for mixed-width matrices. A row is two runs of whole-chunk units, narrow then wide; each
 * run is multiplied by the kernel a uniform row of its width gets: {@link PackedDot}'s packed-byte dots (2, 4 and
 * 5 bits at 512 bits, blocks of whole chunks), which take each block's input offset from a list, or else
 * {@link GroupDecoder} and {@link CentroidTable} into centroids followed by a vector dot.
 *
 * <p>Arithmetic order, shared by GEMV and GEMM (which run the same per-run code and therefore agree bit for bit):
 * each run is reduced on its own, in its kernel's order (blocks ascending by unit), and the row's value is
 * narrow + wide. Core's scalar reference visits the same blocks in the same order but sums them in one float: the
 * two differ by float rounding only.
 */
final class MixedRowKernels {
    private MixedRowKernels() {}

    static void gemv(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        float[][] xp = s.permuted(rotated);
        for (int r = rowStart; r < rowEnd; r++) {
            s.locate(r);
            float narrow = s.runDot(0, rotated, xp[0]);
            y[r] = narrow + s.runDot(1, rotated, xp[1]);
        }
    }

    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        Scratch s = new Scratch(m);
        float[][][] xp = new float[rotated.length][][];
        for (int b = 0; b < rotated.length; b++) xp[b] = s.permuted(rotated[b]);
        for (int r = rowStart; r < rowEnd; r++) {
            s.locate(r);
            // a packed run: the fused dot per input (its codes stay in L1; see PackedDot.gemm); another run: decoded
            // once per row, reused by every input of the batch
            if (!s.packed[0]) s.decode(0);
            if (!s.packed[1]) s.decode(1);
            for (int b = 0; b < rotated.length; b++) {
                float narrow = s.packed[0] ? s.runDot(0, rotated[b], xp[b][0]) : s.valuesDot(0, rotated[b]);
                y[b * m.rows() + r] = narrow
                        + (s.packed[1] ? s.runDot(1, rotated[b], xp[b][1]) : s.valuesDot(1, rotated[b]));
            }
        }
    }

    /** Row r decoded; a grouped matrix's row is gathered from its cells (no row-order copy of the matrix). */
    static void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff, VectorRotations rotations) {
        Scratch s = new Scratch(m);
        s.locate(row);
        int g = m.blockSize();
        float[] tmp = new float[g];
        for (int w = 0; w < 2; w++) {
            s.decode(w);
            for (int j = 0; j < s.count[w]; j++) {
                int k = s.order[s.from[w] + j], off = s.valueBase[w] + s.position[j];
                rotations.unrotate(m.rotation(), s.values, off, tmp);
                float scale = m.scale(row, k);
                int len = m.blocks().blockLength(k);
                for (int i = 0; i < len; i++) dst[dstOff + k * g + i] = scale * s.values[off + i];
            }
        }
    }

    /**
     * Per-thread state for one matrix: tables, scratch, and where row r's two runs are. A grouped matrix (decoding
     * only: its products run {@link MixedTableDot}, or these kernels on a row-order copy) has its row's runs gathered
     * into {@link #rowBytes} by {@link #locate}. The blocks of a run are
     * {@code order[from .. from + count)} (core's stored block order); the j-th block of a run has its centroids at
     * {@code valueBase + position[j]}, since a run's units follow each other, each padded to whole chunks.
     */
    private static final class Scratch {
        final MixedQuantizedMatrix m;
        final int g, chunksPerBlock, unitIndices;
        final int[] order;
        final float[] scales;
        final CentroidTable[] tables = new CentroidTable[2];
        /** Per run, the register codebook of a packed run (5-bit: two registers, t0 and t1; else t1 = t0). */
        final IntVector[] t0 = new IntVector[2], t1 = new IntVector[2];
        /** Whether run w (0 narrow, 1 wide) goes through {@link PackedDot}'s packed-byte kernels. */
        final boolean[] packed = new boolean[2];
        final int[] bits = new int[2];
        final byte[] idx;
        final float[] values;
        final int[] position;
        final float[] sums = new float[Lanes.LENGTH];
        /** Per run of the located row: first stored block, blocks, indices, where its centroids and codes start. */
        final int[] from = new int[2], count = new int[2], indices = new int[2], valueBase = new int[2];
        final long[] codesAt = new long[2];
        /** Where the runs are read: the matrix's codes, or for a grouped matrix the located row's gathered runs. */
        final MemorySegment codes;
        final byte[] rowBytes;
        int scaleBase;

        Scratch(MixedQuantizedMatrix m) {
            this.m = m;
            MixedLayout layout = m.layout();
            g = m.blockSize();
            chunksPerBlock = g / PackedDot.CHUNK;
            unitIndices = layout.unitIndices();
            order = layout.storedBlocks();
            scales = m.scales();
            for (int w = 0; w < 2; w++) {
                float[] centroids = m.part(w == 1).centroids();
                bits[w] = m.part(w == 1).bits();
                tables[w] = new CentroidTable(Lanes.I, centroids);
                packed[w] = Lanes.LENGTH == PackedDot.L && g % PackedDot.CHUNK == 0
                        && (bits[w] == 2 || bits[w] == 4 || bits[w] == 5);
                // never null (C2 boxes vectors that may be); only a packed run uses them
                IntVector[] t = !packed[w] ? new IntVector[] {PackedDot.table(new float[] {0f})}
                        : bits[w] == 5 ? PackedDot5.table(centroids) : new IntVector[] {PackedDot.table(centroids)};
                t0[w] = t[0];
                t1[w] = t[t.length - 1];
            }
            int n = layout.unitsPerRow() * unitIndices;
            idx = new byte[n];
            values = new float[n];
            int perUnit = layout.blocksPerUnit();
            position = new int[m.blocksPerRow()];
            for (int j = 0; j < position.length; j++) position[j] = j / perUnit * unitIndices + j % perUnit * g;
            rowBytes = m.grouped() ? new byte[Math.toIntExact(layout.unitsPerRow() * m.wide().unitBytes())] : null;
            codes = m.grouped() ? MemorySegment.ofArray(rowBytes) : m.codes();
        }

        /** The rotated input in each run's lane order (a packed run) or as it is; 4 and 5 bits share one order. */
        float[][] permuted(float[] rotated) {
            float[] narrow = packed[0] ? PackedDot.permute(bits[0], rotated, rotated.length) : rotated;
            boolean shared = packed[0] && packed[1] && PackedDot.laneOrder(bits[0]) == PackedDot.laneOrder(bits[1]);
            float[] wide = shared ? narrow : packed[1] ? PackedDot.permute(bits[1], rotated, rotated.length) : rotated;
            return new float[][] {narrow, wide};
        }

        /** Where row r's runs are; decodes nothing (a grouped matrix's runs are gathered into rowBytes here). */
        void locate(int row) {
            scaleBase = row * m.blocksPerRow();
            int narrowBytes = 0;
            if (m.grouped()) {
                narrowBytes = m.rowRun(row, false, rowBytes, 0);
                m.rowRun(row, true, rowBytes, narrowBytes);
            }
            int base = 0;
            for (int w = 0; w < 2; w++) {
                boolean isWide = w == 1;
                from[w] = m.blocksFrom(row, isWide);
                count[w] = m.blockCount(row, isWide);
                codesAt[w] = m.grouped() ? (isWide ? narrowBytes : 0) : m.rowOffset(row, isWide);
                valueBase[w] = base;
                indices[w] = m.layout().units(row, isWide) * unitIndices;
                base += indices[w];
            }
        }

        /** Centroids of run w into {@link #values}, in index order. */
        void decode(int w) {
            if (indices[w] == 0) return;
            GroupDecoder.decodeRun(codes, codesAt[w], indices[w], bits[w], idx);
            tables[w].decode(idx, indices[w], values, valueBase[w]);
        }

        /** Run w times a rotated input, straight from the codes when the run is packed. */
        float runDot(int w, float[] rotated, float[] xp) {
            if (count[w] == 0) return 0f;
            if (!packed[w]) {
                decode(w);
                return valuesDot(w, rotated);
            }
            return switch (bits[w]) {
                case 4 -> PackedDot4.dot(m.codes(), codesAt[w], scales, scaleBase, order, from[w], count[w],
                        chunksPerBlock, xp, t0[w], sums);
                case 5 -> PackedDot5.dot(m.codes(), codesAt[w], scales, scaleBase, order, from[w], count[w],
                        chunksPerBlock, xp, t0[w], t1[w], sums);
                default -> PackedDot2.dot(m.codes(), codesAt[w], scales, scaleBase, order, from[w], count[w],
                        chunksPerBlock, xp, t0[w], sums);
            };
        }

        /** Run w (not packed) from centroids already decoded by {@link #decode}. */
        float valuesDot(int w, float[] rotated) {
            if (count[w] == 0) return 0f;
            return g % Lanes.LENGTH == 0 ? wholeDot(w, rotated) : raggedDot(w, rotated);
        }

        /** Blocks of whole vectors: no tail, so no vector merges across a branch (C2 would box it). */
        private float wholeDot(int w, float[] rotated) {
            FloatVector sum = Lanes.zero();
            for (int j = 0; j < count[w]; j++) {
                int k = order[from[w] + j], v = valueBase[w] + position[j], x = k * g;
                FloatVector acc = Lanes.zero();
                for (int i = 0; i < g; i += Lanes.LENGTH) acc = Lanes.load(values, v + i).fma(Lanes.load(rotated, x + i), acc);
                sum = acc.fma(Lanes.broadcast(scales[scaleBase + k]), sum);
            }
            return LaneSums.sum(sum, sums);
        }

        private float raggedDot(int w, float[] rotated) {
            FloatVector sum = Lanes.zero();
            int full = g - g % Lanes.LENGTH;
            for (int j = 0; j < count[w]; j++) {
                int k = order[from[w] + j], v = valueBase[w] + position[j], x = k * g;
                FloatVector acc = Lanes.zero();
                for (int i = 0; i < full; i += Lanes.LENGTH) acc = Lanes.load(values, v + i).fma(Lanes.load(rotated, x + i), acc);
                acc = Lanes.loadUpTo(values, v + full, v + g).fma(Lanes.loadUpTo(rotated, x + full, x + g), acc);
                sum = acc.fma(Lanes.broadcast(scales[scaleBase + k]), sum);
            }
            return LaneSums.sum(sum, sums);
        }
    }
}
