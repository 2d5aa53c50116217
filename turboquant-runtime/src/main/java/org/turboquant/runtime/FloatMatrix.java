package org.turboquant.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.loader.pack.WeightMatrix;

/**
 * An unquantized FP32 matrix, rows × cols (rows = outputs): the original model's weights behind the same interface as
 * a pack's.
 *
 * <p>Stored in panels of two vectors' lanes of rows (32 at 512 bits), column-major inside a panel (panel p, column c,
 * lane l holds row p·PANEL + l; rows past the last are zero), so that a product is an outer-product GEMM: per column,
 * two vector-high weight
 * vectors are loaded once and FMA-ed into {@value #TILE} inputs' sums (one broadcast of each input's value), 16 sums
 * in registers and no horizontal reduction. The row-major form that a dot-product loop would use costs four
 * reductions per row and input, as much work as the FMAs at MiniLM's 384 columns. Row ranges (whole panels) are
 * spread over the fork-join pool the caller runs in (the common pool otherwise).
 *
 * <p>Arithmetic order: per row and input one sum, Σ over columns in order of w·x starting from 0 (one FMA each),
 * then + bias, then added to y when accumulating; it does not depend on the batch, the input's place in it, or the
 * threads.
 */
public final class FloatMatrix implements WeightMatrix {
    private static final VectorSpecies<Float> F = VectorOps.S;
    private static final int L = F.length();
    /** Rows per panel: two vectors, so each input's broadcast feeds two FMAs. */
    static final int PANEL = 2 * L;
    /** Inputs per pass over a panel: 16 sums in registers, enough independent FMAs to hide their latency. */
    static final int TILE = 8;
    /** Panels per parallel task: enough work to pay for a task. */
    private static final int PANELS_PER_TASK = 2;

    private final String name;
    private final int rows, cols;
    /** Panel p's column c at [(p·cols + c)·PANEL ..], rows p·PANEL .. (p + 1)·PANEL (zeros past the last row). */
    private final float[] panels;

    /** The matrix whose row r is w[r·cols .. (r + 1)·cols) (row-major; copied into panels). */
    public FloatMatrix(String name, int rows, int cols, float[] w) {
        this(name, rows, cols, w, false);
    }

    /** The transpose of a row-major [in, out] matrix (an ONNX MatMul weight) as an out × in matrix. */
    public static FloatMatrix ofTransposed(String name, int in, int out, float[] inByOut) {
        return new FloatMatrix(name, out, in, inByOut, true);
    }

    private FloatMatrix(String name, int rows, int cols, float[] w, boolean transposed) {
        if ((long) rows * cols != w.length)
            throw new IllegalArgumentException(name + ": " + w.length + " values for " + rows + " × " + cols);
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        int panelCount = (rows + PANEL - 1) / PANEL;
        this.panels = new float[Math.multiplyExact(Math.multiplyExact(panelCount, cols), PANEL)];
        for (int r = 0; r < rows; r++) {
            int base = (r / PANEL) * cols * PANEL + r % PANEL;
            for (int c = 0; c < cols; c++)
                panels[base + c * PANEL] = transposed ? w[c * rows + r] : w[r * cols + c];
        }
    }

    @Override public String name() { return name; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }

    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        matmul(x, xOff, 1, y, yOff, bias, accumulate);
    }

    @Override
    public void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        Objects.checkFromIndexSize(xOff, Math.multiplyExact(batch, cols), x.length);
        Objects.checkFromIndexSize(yOff, Math.multiplyExact(batch, rows), y.length);
        if (bias != null && bias.length != rows)
            throw new IllegalArgumentException(name + ": bias has " + bias.length + " elements, expected " + rows);
        if (batch == 0) return;
        float[][] tiles = interleave(x, xOff, batch);
        int panelCount = (rows + PANEL - 1) / PANEL, tasks = (panelCount + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        if (tasks == 1 || (long) batch * rows * cols < 1 << 16) {
            panelRange(tiles, batch, y, yOff, bias, accumulate, 0, panelCount);
        } else {
            IntStream.range(0, tasks).parallel().forEach(t -> panelRange(tiles, batch, y, yOff, bias, accumulate,
                    t * PANELS_PER_TASK, Math.min(panelCount, (t + 1) * PANELS_PER_TASK)));
        }
    }

    /** The inputs by tiles of {@value #TILE}, column-interleaved: tile t's [c·TILE + s] = input t·TILE + s's column c. */
    private float[][] interleave(float[] x, int xOff, int batch) {
        float[][] tiles = new float[(batch + TILE - 1) / TILE][cols * TILE]; // slots past the batch stay 0, unread
        for (int b = 0; b < batch; b++) {
            float[] t = tiles[b / TILE];
            int s = b % TILE, from = xOff + b * cols;
            for (int c = 0; c < cols; c++) t[c * TILE + s] = x[from + c];
        }
        return tiles;
    }

    private void panelRange(float[][] tiles, int batch, float[] y, int yOff, float[] bias, boolean accumulate,
                            int p0, int p1) {
        float[] sums = new float[TILE * PANEL];
        for (int p = p0; p < p1; p++)
            for (int t = 0; t < tiles.length; t++) {
                tile(panels, p * cols * PANEL, tiles[t], cols, sums);
                store(sums, t * TILE, Math.min(TILE, batch - t * TILE), p * PANEL, y, yOff, bias, accumulate);
            }
    }

    /**
     * sums[s·PANEL + l] = Σ_c panel[c·PANEL + l]·x[c·TILE + s] for the TILE inputs s of one interleaved tile and the
     * panel's rows l. Unrolled by hand: the 16 sums must stay in registers.
     */
    private static void tile(float[] panel, int off, float[] x, int cols, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (int c = 0; c < cols; c++) {
            int w = off + c * PANEL, o = c * TILE;
            FloatVector lo = FloatVector.fromArray(F, panel, w), hi = FloatVector.fromArray(F, panel, w + L);
            FloatVector v = FloatVector.broadcast(F, x[o]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(F, x[o + 1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(F, x[o + 2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(F, x[o + 3]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(F, x[o + 4]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(F, x[o + 5]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(F, x[o + 6]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(F, x[o + 7]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
        }
        a0.intoArray(sums, 0);
        b0.intoArray(sums, L);
        a1.intoArray(sums, PANEL);
        b1.intoArray(sums, PANEL + L);
        a2.intoArray(sums, 2 * PANEL);
        b2.intoArray(sums, 2 * PANEL + L);
        a3.intoArray(sums, 3 * PANEL);
        b3.intoArray(sums, 3 * PANEL + L);
        a4.intoArray(sums, 4 * PANEL);
        b4.intoArray(sums, 4 * PANEL + L);
        a5.intoArray(sums, 5 * PANEL);
        b5.intoArray(sums, 5 * PANEL + L);
        a6.intoArray(sums, 6 * PANEL);
        b6.intoArray(sums, 6 * PANEL + L);
        a7.intoArray(sums, 7 * PANEL);
        b7.intoArray(sums, 7 * PANEL + L);
    }

    /** y[input b, rows r0 .. r0 + PANEL (those that exist)] = sums + bias (+ y when accumulating), inputs b0 .. b0 + n. */
    private void store(float[] sums, int b0, int n, int r0, float[] y, int yOff, float[] bias, boolean accumulate) {
        int count = Math.min(PANEL, rows - r0);
        for (int s = 0; s < n; s++) {
            int to = yOff + (b0 + s) * rows + r0;
            for (int h = 0; h < count; h += L) {
                VectorMask<Float> m = F.indexInRange(h, count);
                FloatVector v = FloatVector.fromArray(F, sums, s * PANEL + h);
                if (bias != null) v = v.add(FloatVector.fromArray(F, bias, r0 + h, m));
                if (accumulate) v = FloatVector.fromArray(F, y, to + h, m).add(v);
                v.intoArray(y, to + h, m);
            }
        }
    }

    @Override
    public void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias,
                       boolean accumulate) {
        float[] xa = new float[Math.multiplyExact(batch, cols)], ya = new float[Math.multiplyExact(batch, rows)];
        MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, xByteOff, xa, 0, xa.length);
        if (accumulate) MemorySegment.copy(y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya, 0, ya.length);
        matmul(xa, 0, batch, ya, 0, bias, accumulate);
        MemorySegment.copy(ya, 0, y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya.length);
    }

    @Override
    public void row(int r, float[] out, int outOff) {
        Objects.checkIndex(r, rows);
        Objects.checkFromIndexSize(outOff, cols, out.length);
        int base = (r / PANEL) * cols * PANEL + r % PANEL;
        for (int c = 0; c < cols; c++) out[outOff + c] = panels[base + c * PANEL];
    }

    @Override
    public void warmUp() {
        matmul(new float[TILE * cols], 0, TILE, new float[TILE * rows], 0, null, false);
    }
}
