package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.core.baseline.RtnMatrix;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Parts of the baseline formats, produced by core's reference quantizers on blocks of rows: a primary part
 * (quants or codes, row-major) and one secondary part holding a fixed number of scale bytes per row.
 */
final class BaselineEncoder implements TensorEncoder {

    /** Quantizes n rows; returns the primary bytes and the secondary (scale) bytes of those rows. */
    private interface ChunkQuantizer {
        MemorySegment[] quantize(float[] rows, int n, int cols);
    }

    private final List<TensorSpec> parts;
    private final List<String> roles;
    private final long primaryRowBytes;
    private final int secondaryRowBytes;
    private final int cols;
    private final ChunkQuantizer quantizer;
    private final byte[] secondary;

    private BaselineEncoder(List<TensorSpec> parts, List<String> roles, long primaryRowBytes, int secondaryRowBytes,
                            int rows, int cols, ChunkQuantizer quantizer) {
        this.parts = parts;
        this.roles = roles;
        this.primaryRowBytes = primaryRowBytes;
        this.secondaryRowBytes = secondaryRowBytes;
        this.cols = cols;
        this.quantizer = quantizer;
        this.secondary = new byte[Math.multiplyExact(rows, secondaryRowBytes)];
    }

    static BaselineEncoder q8_0(String name, int rows, int cols) {
        int nb = Q8_0Matrix.blocksPerRow(cols);
        return new BaselineEncoder(
                List.of(TensorSpec.of(name + "#quants", DType.I8, rows, (long) nb * Q8_0Matrix.BLOCK),
                        TensorSpec.of(name + "#scales", DType.F16, rows, nb)),
                List.of("quants", "scales"), (long) nb * Q8_0Matrix.BLOCK, nb * 2, rows, cols, (w, n, c) -> {
                    Q8_0Matrix q = Q8_0Matrix.quantize(w, n, c);
                    return new MemorySegment[] {q.quants(), q.scales()};
                });
    }

    static BaselineEncoder q4_0(String name, int rows, int cols) {
        int nb = Q4_0Matrix.blocksPerRow(cols);
        return new BaselineEncoder(
                List.of(TensorSpec.of(name + "#quants", DType.U8, rows, (long) nb * Q4_0Matrix.BLOCK_BYTES),
                        TensorSpec.of(name + "#scales", DType.F16, rows, nb)),
                List.of("quants", "scales"), (long) nb * Q4_0Matrix.BLOCK_BYTES, nb * 2, rows, cols, (w, n, c) -> {
                    Q4_0Matrix q = Q4_0Matrix.quantize(w, n, c);
                    return new MemorySegment[] {q.quants(), q.scales()};
                });
    }

    static BaselineEncoder rtn(String name, int rows, int cols, int bits) {
        long stride = RtnMatrix.rowStrideBytes(cols, bits);
        return new BaselineEncoder(
                List.of(TensorSpec.of(name + "#codes", DType.U8, rows, stride),
                        TensorSpec.of(name + "#scales", DType.F32, rows)),
                List.of("codes", "scales"), stride, 4, rows, cols, (w, n, c) -> {
                    RtnMatrix q = RtnMatrix.quantize(w, n, c, bits);
                    return new MemorySegment[] {q.codes(), PartBytes.floats(q.scales(), DType.F32)};
                });
    }

    @Override
    public List<TensorSpec> parts() {
        return parts;
    }

    @Override
    public List<String> roles() {
        return roles;
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        return n * primaryRowBytes;
    }

    @Override
    public void encodeRows(float[] rows, int firstRow, int n, MemorySegment primary) {
        MemorySegment[] q = quantizer.quantize(rows, n, cols);
        MemorySegment.copy(q[0], 0, primary, 0, n * primaryRowBytes);
        MemorySegment.copy(q[1], 0, MemorySegment.ofArray(secondary), (long) firstRow * secondaryRowBytes,
                (long) n * secondaryRowBytes);
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        out.write(MemorySegment.ofArray(secondary));
    }
}
