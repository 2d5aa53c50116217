package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RowQuantizer;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Parts of a TurboQuant_mse matrix: packed codes (U8), block scales (F16/F32), centroids (F32). Cheap to create:
 * the rotation is built (or found in the cache) only when rows are encoded, so planning a model with hundreds of
 * whole-row QR tensors does not hold hundreds of dense matrices.
 */
final class TurboQuantEncoder implements TensorEncoder {
    private final String name;
    private final int rows;
    private final QuantConfig config;
    private final BlockLayout layout;
    private final long rowStrideBytes;
    private float[] scales; // allocated by the first encodeRows: rows × blocksPerRow

    TurboQuantEncoder(String name, int rows, int cols, QuantConfig config) {
        this.name = name;
        this.rows = rows;
        this.config = config;
        this.layout = BlockLayout.of(cols, config.blockSize(), config.rotation());
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), config.bits());
    }

    static DType scaleDType(NormPrecision p) {
        return p == NormPrecision.F16 ? DType.F16 : DType.F32;
    }

    @Override
    public List<TensorSpec> parts() {
        return List.of(
                TensorSpec.of(name + "#codes", DType.U8, rows, rowStrideBytes),
                TensorSpec.of(name + "#scales", scaleDType(config.normPrecision()), rows, layout.blocksPerRow()),
                TensorSpec.of(name + "#centroids", DType.F32, 1L << config.bits()));
    }

    @Override
    public List<String> roles() {
        return List.of("codes", "scales", "centroids");
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        return n * rowStrideBytes;
    }

    @Override
    public void encodeRows(float[] src, int firstRow, int n, MemorySegment primary) {
        float[] out = scales();
        // one quantizer per task: its rotation and codebook come from caches, its scratch buffers are small
        RowQuantizer q = new RowQuantizer(layout.cols(), config);
        int cols = layout.cols(), nb = layout.blocksPerRow();
        for (int i = 0; i < n; i++) {
            q.quantizeRow(src, i * cols, primary, i * rowStrideBytes, out, (firstRow + i) * nb);
        }
    }

    private synchronized float[] scales() {
        if (scales == null) scales = new float[Math.multiplyExact(rows, layout.blocksPerRow())];
        return scales;
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        out.write(PartBytes.floats(scales(), scaleDType(config.normPrecision())));
        out.write(PartBytes.floats(Codebook.of(layout.blockSize(), config.bits()).centroids(), DType.F32));
    }
}
