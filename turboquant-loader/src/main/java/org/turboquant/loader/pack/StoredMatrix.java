package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.ProductArgs;
import org.turboquant.simd.RowKernel;
import org.turboquant.simd.WarmUp;

/**
 * What every stored matrix shares: argument checks naming the tensor, the products on a pool, row look-up and
 * warm-up, all over one {@link RowKernel} that the method's subclass builds from its parts on first use. That build
 * ({@link #kernel()}) is the first touch of the tensor's data, so one-time work (rotation set-up, checks) belongs
 * there and nowhere else.
 */
abstract class StoredMatrix implements WeightMatrix {
    private final String name;
    private final int rows, cols;
    private final ParallelMatmul pool;
    private volatile RowKernel kernel;

    StoredMatrix(String name, int rows, int cols, ParallelMatmul pool) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.pool = pool;
    }

    /** The threads, and the kernels, this matrix's products run on. */
    final ParallelMatmul pool() { return pool; }

    /** The matrix's kernel over its parts; called once, on first use. */
    abstract RowKernel build();

    final RowKernel kernel() {
        RowKernel k = kernel;
        if (k == null) {
            synchronized (this) {
                k = kernel;
                if (k == null) kernel = k = build();
            }
        }
        return k;
    }

    @Override
    public final String name() { return name; }

    @Override
    public final int rows() { return rows; }

    @Override
    public final int cols() { return cols; }

    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        ProductArgs.check(name + ": x", x.length, xOff, cols);
        ProductArgs.check(name + ": y", y.length, yOff, rows);
        checkBias(bias);
        pool.gemv(kernel(), x, xOff, y, yOff, bias, accumulate);
    }

    @Override
    public void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        if (batch < 0) throw new IllegalArgumentException(name + ": batch must be >= 0, got " + batch);
        ProductArgs.check(name + ": x", x.length, xOff, (long) batch * cols);
        ProductArgs.check(name + ": y", y.length, yOff, (long) batch * rows);
        checkBias(bias);
        pool.gemm(kernel(), x, xOff, batch, y, yOff, bias, accumulate);
    }

    /** Copies through float arrays: the kernels read arrays, and a copy is small beside the product. */
    @Override
    public void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias,
                       boolean accumulate) {
        if (batch < 0) throw new IllegalArgumentException(name + ": batch must be >= 0, got " + batch);
        int nx = Math.toIntExact((long) batch * cols), ny = Math.toIntExact((long) batch * rows);
        checkSegment("x", x, xByteOff, nx);
        checkSegment("y", y, yByteOff, ny);
        if (y.isReadOnly()) throw new IllegalArgumentException(name + ": y is a read-only segment");
        checkBias(bias);
        float[] xs = new float[nx], ys = new float[ny];
        MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, xByteOff, xs, 0, nx);
        if (accumulate) MemorySegment.copy(y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ys, 0, ny);
        pool.gemm(kernel(), xs, 0, batch, ys, 0, bias, accumulate);
        MemorySegment.copy(ys, 0, y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ny);
    }

    @Override
    public void row(int r, float[] out, int outOff) {
        if (r < 0 || r >= rows) throw new IndexOutOfBoundsException(name + ": row " + r + " of " + rows);
        ProductArgs.check(name + ": out", out.length, outOff, cols);
        kernel().row(r, out, outOff);
    }

    @Override
    public void warmUp() {
        WarmUp.run(kernel(), pool);
    }

    /** Builds the kernel and whatever its first product would build (e.g. the table kernels' regrouped codes). */
    void prepare() {
        kernel().prepare();
    }

    /** Which kernel multiplies this matrix. */
    String describeKernel() {
        return kernel().describe();
    }

    /** W decoded, rows × cols row-major. */
    float[] decodeAll() {
        float[] m = new float[Math.multiplyExact(rows, cols)];
        RowKernel k = kernel();
        for (int r = 0; r < rows; r++) k.row(r, m, r * cols);
        return m;
    }

    private void checkBias(float[] bias) {
        if (bias != null && bias.length != rows)
            throw new IllegalArgumentException(name + ": bias has " + bias.length + " elements, the matrix has " + rows + " rows");
    }

    private void checkSegment(String what, MemorySegment s, long byteOff, long floats) {
        if (byteOff < 0 || byteOff > s.byteSize() || 4 * floats > s.byteSize() - byteOff)
            throw new IndexOutOfBoundsException(name + ": " + what + " segment has " + s.byteSize() + " bytes; "
                    + 4 * floats + " are needed from byte offset " + byteOff);
    }
}
