package org.turboquant.loader.pack;

import org.turboquant.core.CodeLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.ScalarKernels;

/** What core's scalar reference decodes a packed TurboQuant tensor's source weights to, laid out as the packer wrote it. */
final class PackReference {
    private PackReference() {}

    static float[] decode(float[] w, TqTensor t, QuantConfig config) {
        Manifest.TensorEntry e = t.manifestEntry();
        if (e.mixed() && CodeLayout.MIXED_ROW_GROUPS_16.id().equals(e.codeLayout())) // widths per 16-row cell
            return ScalarKernels.dequantize(MixedMatrixQuantizer.quantizeGrouped(w, t.rows(), t.cols(), config,
                    e.wideBits(), e.wideUnits() / CodeLayout.GROUP_ROWS));
        if (e.mixed())
            return ScalarKernels.dequantize(MixedMatrixQuantizer.quantize(w, t.rows(), t.cols(), config, e.wideBits(), e.wideUnits()));
        return ScalarKernels.dequantize(MatrixQuantizer.quantize(w, t.rows(), t.cols(), config));
    }
}
