package org.turboquant.loader.pack;

import java.util.Locale;
import java.util.regex.Pattern;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.Usage;

/**
 * What happens to one source tensor: kept as it is (with the reason), or quantized as a rows × cols matrix whose
 * rows are weight vectors along the reduction axis. ONNX MatMul weights are stored [in, out], so their quantized
 * matrix is the transpose.
 */
record TensorPlan(SourceTensor source, Method method, int bits, boolean transposed, int rows, int cols,
                  String keptReason) {

    boolean quantized() {
        return method != Method.KEPT;
    }

    static TensorPlan decide(SourceTensor t, PackOptions options, boolean hasNonFinite) {
        String name = t.name();
        Pattern keep = options.keep();
        if (keep != null && keep.matcher(name).find()) return kept(t, "matches --keep");
        if (!t.dtype().isFloat()) return kept(t, "not a float tensor (" + t.dtype().id() + ")");
        if (t.rank() != 2) return kept(t, "rank " + t.rank() + " (only 2-D matrices are quantized)");
        if (t.numel() < options.minElements())
            return kept(t, "fewer than " + options.minElements() + " elements");
        if (t.usage() == Usage.OTHER) return kept(t, "not used as a matrix weight or look-up table");
        if (hasNonFinite) return kept(t, "holds NaN or Inf (--keep-non-finite)");
        boolean transposed = t.usage() == Usage.MATMUL_WEIGHT;
        long rows = transposed ? t.dim(1) : t.dim(0), cols = transposed ? t.dim(0) : t.dim(1);
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE)
            return kept(t, "dimension beyond 2^31 - 1");
        return new TensorPlan(t, options.method(), options.bitsFor(name), transposed, (int) rows, (int) cols, null);
    }

    static TensorPlan kept(SourceTensor t, String reason) {
        return new TensorPlan(t, Method.KEPT, 0, false, 0, 0, reason);
    }

    /** The encoder of a quantized plan. */
    TensorEncoder encoder(PackOptions options) {
        String name = source.name();
        return switch (method) {
            case TURBOQUANT -> new TurboQuantEncoder(name, rows, cols, options.quantConfig(name).withBits(bits));
            case RTN -> BaselineEncoder.rtn(name, rows, cols, bits);
            case Q4_0 -> BaselineEncoder.q4_0(name, rows, cols);
            case Q8_0 -> BaselineEncoder.q8_0(name, rows, cols);
            case KEPT -> throw new IllegalStateException("kept tensors have no encoder");
        };
    }

    String describe() {
        return quantized() ? method.id().toUpperCase(Locale.ROOT) : "kept";
    }
}
