package org.turboquant.loader.source;

import java.lang.foreign.MemorySegment;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.TensorInfo;

/**
 * The scales of an FP8 weight stored as FP8 checkpoints (DeepSeek-V3, Hugging Face "fine-grained FP8") store them:
 * a companion tensor named {@code NAME_scale_inv} (e.g. {@code ...q_proj.weight_scale_inv}) of shape
 * [ceil(rows / B), ceil(cols / B)] (B = 128 in those checkpoints, recovered here from the two shapes), or a single
 * value for the whole tensor. The real weight is {@code fp8[r][c] × scale_inv[r / B][c / B]}: despite its name the
 * stored "inverse" scale multiplies (it is the inverse of the scale the quantizer divided by).
 */
final class Fp8BlockScales {
    static final String SUFFIX = "_scale_inv";

    private final float[] scales;
    private final long cols;
    private final int blockRows, blockCols, scaleCols;

    private Fp8BlockScales(float[] scales, long cols, int blockRows, int blockCols, int scaleCols) {
        this.scales = scales;
        this.cols = cols;
        this.blockRows = blockRows;
        this.blockCols = blockCols;
        this.scaleCols = scaleCols;
    }

    static boolean isFp8(DType d) {
        return d == DType.F8_E4M3 || d == DType.F8_E5M2;
    }

    /** The scales of {@code weight} held in {@code scale}; checks that the shapes fit. */
    static Fp8BlockScales of(java.nio.file.Path file, TensorInfo weight, TensorInfo scale, MemorySegment scaleBytes) {
        if (!scale.dtype().isFloat() || isFp8(scale.dtype()))
            throw new BadInputException(file, scale.name(), "FP8 scales must be F32, F16 or BF16, not " + scale.dtype().id());
        float[] s = new float[Math.toIntExact(scale.numel())];
        FloatCodec.decode(scaleBytes, scale.dtype(), 0, s, 0, s.length);
        long[] ws = weight.shape();
        if (s.length == 1) { // one scale for the whole tensor
            long cols = ws.length == 0 ? 1 : ws[ws.length - 1];
            return new Fp8BlockScales(s, Math.max(cols, 1), Integer.MAX_VALUE, Integer.MAX_VALUE, 1);
        }
        long[] ss = scale.shape();
        if (ws.length != 2 || ss.length != 2)
            throw new BadInputException(file, scale.name(), "block scales " + java.util.Arrays.toString(ss)
                    + " do not fit the weight " + java.util.Arrays.toString(ws) + " (2-D blocks expected)");
        int br = blockSize(ws[0], ss[0]), bc = blockSize(ws[1], ss[1]);
        if (br < 1 || bc < 1)
            throw new BadInputException(file, scale.name(), "block scales " + java.util.Arrays.toString(ss)
                    + " do not tile the weight " + java.util.Arrays.toString(ws) + " in equal blocks");
        return new Fp8BlockScales(s, ws[1], br, bc, (int) ss[1]);
    }

    /** The block size B with ceil(n / B) = blocks: 128 when that fits (the usual case), else the smallest that does. */
    private static int blockSize(long n, long blocks) {
        if (blocks < 1 || blocks > n) return n == 0 && blocks == 0 ? 1 : -1;
        if (ceilDiv(n, 128) == blocks) return 128;
        long b = ceilDiv(n, blocks);
        return ceilDiv(n, b) == blocks && b <= Integer.MAX_VALUE ? (int) b : -1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Multiplies {@code dst[dstOff .. + count)}, the elements from flat index {@code elementOffset}, by their scales. */
    void apply(long elementOffset, float[] dst, int dstOff, int count) {
        for (int i = 0; i < count; i++) {
            long k = elementOffset + i;
            long r = k / cols, c = k - r * cols;
            int index = scales.length == 1 ? 0 : (int) (r / blockRows) * scaleCols + (int) (c / blockCols);
            dst[dstOff + i] *= scales[index];
        }
    }
}
