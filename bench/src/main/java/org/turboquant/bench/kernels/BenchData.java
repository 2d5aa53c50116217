package org.turboquant.bench.kernels;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.Rotation;
import org.turboquant.core.RotationKind;

/**
 * Inputs for the kernel benchmarks. Quantized matrices get random codes and scales rather than a real quantization
 * run: kernel speed does not depend on the values, and quantizing 4096×4096 with a whole-row QR would take minutes.
 */
final class BenchData {
    private BenchData() {}

    /** "4096x4096" → {4096, 4096}. */
    static int[] shape(String s) {
        String[] p = s.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    /** block is a size or "row" (one block per row). */
    static QuantizedMatrix randomQuantized(int rows, int cols, int bits, String rotation, String block, long seed) {
        RotationKind kind = RotationKind.parse(rotation);
        BlockLayout layout = BlockLayout.of(cols, "row".equals(block) ? BlockLayout.WHOLE_ROW : Integer.parseInt(block), kind);
        long stride = BitPacking.packedBytes(layout.paddedCols(), bits);
        byte[] codes = new byte[Math.toIntExact(stride * rows)];
        SplittableRandom random = new SplittableRandom(seed);
        random.nextBytes(codes); // every bit pattern is a valid index
        float[] scales = new float[rows * layout.blocksPerRow()];
        for (int i = 0; i < scales.length; i++) scales[i] = (float) (0.5 + random.nextDouble());
        Rotation rot = Rotation.of(kind, layout.blockSize(), seed);
        float[] centroids = Codebook.of(layout.blockSize(), bits).centroids();
        return new QuantizedMatrix(rows, layout, bits, rot, centroids, MemorySegment.ofArray(codes), scales);
    }
}
