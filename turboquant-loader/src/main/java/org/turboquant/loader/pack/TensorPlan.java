package org.turboquant.loader.pack;

import java.util.Locale;
import java.util.regex.Pattern;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.Usage;

/**
 * What happens to one source tensor: kept as it is (with the reason), or quantized as a rows × cols matrix whose
 * rows are weight vectors along the reduction axis. ONNX MatMul weights are stored [in, out], so their quantized
 * matrix is the transpose.
 *
 * <p>{@code rate} is the tensor's --bits (a width, or a fractional rate); {@code widths} the TurboQuant widths
 * it resolves to: for a width at planning, for a rate once {@link BitBudget} has seen every tensor.
 */
record TensorPlan(SourceTensor source, Method method, double rate, BitBudget.Widths widths, boolean transposed,
                  int rows, int cols, String keptReason) {

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
        double rate = options.bitsFor(name);
        BitBudget.Widths widths = PackOptions.fractional(rate) ? null : BitBudget.Widths.uniform((int) rate);
        return new TensorPlan(t, options.method(), rate, widths, transposed, (int) rows, (int) cols, null);
    }

    /**
     * A kept tensor. A 2-D one records its matrix orientation as a quantized one would (an ONNX MatMul weight:
     * transposed, rows = out), so that it can be multiplied from the pack; other tensors record rows = cols = 0.
     */
    static TensorPlan kept(SourceTensor t, String reason) {
        if (t.rank() == 2 && t.dim(0) <= Integer.MAX_VALUE && t.dim(1) <= Integer.MAX_VALUE) {
            boolean transposed = t.usage() == Usage.MATMUL_WEIGHT;
            int rows = (int) (transposed ? t.dim(1) : t.dim(0)), cols = (int) (transposed ? t.dim(0) : t.dim(1));
            return new TensorPlan(t, Method.KEPT, 0, null, transposed, rows, cols, reason);
        }
        return new TensorPlan(t, Method.KEPT, 0, null, false, 0, 0, reason);
    }

    /** Bits per index of a uniform plan, the narrow width of a mixed one. */
    int bits() {
        return widths.narrowBits();
    }

    TensorPlan withWidths(BitBudget.Widths w) {
        return new TensorPlan(source, method, rate, w, transposed, rows, cols, keptReason);
    }

    /** A look-up table: its rows are fetched, not multiplied, so spare bits go elsewhere first. */
    boolean lookup() {
        return source.usage() == Usage.GATHER_TABLE;
    }

    /**
     * The encoder of a quantized plan; {@code unitEnergies}, when not null, are the mixed-width tensor's unit
     * energies already measured for the budget (the encoder then need not read the tensor twice).
     */
    TensorEncoder encoder(PackOptions options, double[] unitEnergies) {
        String name = source.name();
        return switch (method) {
            case TURBOQUANT -> widths.mixed()
                    ? new MixedTurboQuantEncoder(name, rows, cols, options.quantConfig(name, widths.narrowBits()),
                            widths.wideBits(), widths.wideUnits(), unitEnergies)
                    : new TurboQuantEncoder(name, rows, cols, options.quantConfig(name, widths.narrowBits()));
            case RTN -> BaselineEncoder.rtn(name, rows, cols, bits());
            case Q4_0 -> BaselineEncoder.q4_0(name, rows, cols);
            case Q8_0 -> BaselineEncoder.q8_0(name, rows, cols);
            case Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS -> new BlockStreamEncoder(name, rows, cols, method.blockFormat());
            case KEPT -> throw new IllegalStateException("kept tensors have no encoder");
        };
    }

    String describe() {
        return quantized() ? method.id().toUpperCase(Locale.ROOT) : "kept";
    }
}
