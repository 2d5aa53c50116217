package org.turboquant.cli.fidelity;

import java.util.List;
import org.turboquant.loader.safetensors.Shapes;

/**
 * One measured setting of {@code tq compare}.
 *
 * @param bitsPerWeight bits per quantized weight, norms/scales included
 * @param packBytes     bytes of the pack's data (quantized tensors plus the tensors kept as they are)
 * @param packSeconds   time to quantize (in memory, all cores)
 */
public record ComparisonRow(Scheme scheme, double bitsPerWeight, long packBytes, FidelityMetrics metrics,
                            double packSeconds, List<InMemoryQuantizer.TensorResult> tensors) {

    /** Weighted mean of the per-tensor relative squared errors (weights: element counts). */
    public double weightRelativeMse() {
        double num = 0, den = 0;
        for (var t : tensors) {
            long n = Shapes.numel(t.shape());
            num += t.relativeMse() * n;
            den += n;
        }
        return den == 0 ? 0 : num / den;
    }
}
