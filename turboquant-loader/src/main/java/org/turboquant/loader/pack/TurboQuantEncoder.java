package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RowQuantizer;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/** Parts of a TurboQuant_mse matrix: packed codes (U8), block scales (F16/F32), centroids (F32). */
final class TurboQuantEncoder implements TensorEncoder {
    private final String name;
    private final int rows;
    private final QuantConfig config;
    private final ThreadLocal<RowQuantizer> quantizers;
    private final RowQuantizer probe;
    private final float[] scales;

    TurboQuantEncoder(String name, int rows, int cols, QuantConfig config) {
        this.name = name;
        this.rows = rows;
        this.config = config;
        this.probe = new RowQuantizer(cols, config);
        this.quantizers = ThreadLocal.withInitial(() -> new RowQuantizer(cols, config));
        this.scales = new float[Math.multiplyExact(rows, probe.layout().blocksPerRow())];
    }

    static DType scaleDType(NormPrecision p) {
        return p == NormPrecision.F16 ? DType.F16 : DType.F32;
    }

    @Override
    public List<TensorSpec> parts() {
        return List.of(
                TensorSpec.of(name + "#codes", DType.U8, rows, probe.rowStrideBytes()),
                TensorSpec.of(name + "#scales", scaleDType(config.normPrecision()), rows, probe.layout().blocksPerRow()),
                TensorSpec.of(name + "#centroids", DType.F32, probe.codebook().centroids().length));
    }

    @Override
    public List<String> roles() {
        return List.of("codes", "scales", "centroids");
    }

    @Override
    public long primaryRowBytes() {
        return probe.rowStrideBytes();
    }

    @Override
    public void encodeRows(float[] src, int firstRow, int n, MemorySegment primary) {
        RowQuantizer q = quantizers.get();
        int cols = probe.layout().cols(), nb = probe.layout().blocksPerRow();
        for (int i = 0; i < n; i++) {
            q.quantizeRow(src, i * cols, primary, i * q.rowStrideBytes(), scales, (firstRow + i) * nb);
        }
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        out.write(PartBytes.floats(scales, scaleDType(config.normPrecision())));
        out.write(PartBytes.floats(probe.codebook().centroids(), DType.F32));
    }
}
