package org.turboquant.cli.fidelity;

import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;

/**
 * One quantization setting raced in {@code tq compare}.
 *
 * @param method         turboquant, rtn, q4_0 or q8_0
 * @param bits           bits per index (turboquant, rtn); 4 or 8 for q4_0/q8_0
 * @param blockSize      turboquant block, {@link BlockLayout#WHOLE_ROW} for the whole row
 * @param rotation       turboquant rotation (null for baselines)
 * @param normPrecision  turboquant scale storage (null for baselines)
 * @param normCorrection turboquant least-squares scale
 */
public record Scheme(String method, int bits, int blockSize, RotationKind rotation, NormPrecision normPrecision,
                     boolean normCorrection) {

    public static Scheme turboQuant(int bits, int block, RotationKind rotation, NormPrecision norm, boolean correction) {
        return new Scheme("turboquant", bits, block, rotation, norm, correction);
    }

    public static Scheme rtn(int bits) { return new Scheme("rtn", bits, 0, null, null, false); }

    public static Scheme q4_0() { return new Scheme("q4_0", 4, 32, null, null, false); }

    public static Scheme q8_0() { return new Scheme("q8_0", 8, 32, null, null, false); }

    public boolean isTurboQuant() { return method.equals("turboquant"); }

    /** The curve this setting belongs to in the chart: bit widths vary along a line. */
    public String family() {
        if (!isTurboQuant()) return method.equals("rtn") ? "RTN per row" : method.toUpperCase(java.util.Locale.ROOT);
        return "TQ " + rotation.id() + " " + blockLabel() + (normCorrection ? " nc" : "")
                + (normPrecision == NormPrecision.F32 ? " f32" : "");
    }

    public String blockLabel() {
        return blockSize == BlockLayout.WHOLE_ROW ? "row" : Integer.toString(blockSize);
    }

    /** Settings column of the results table. */
    public String settings() {
        return switch (method) {
            case "turboquant" -> "b=" + bits + " " + rotation.id() + " block=" + blockLabel() + " "
                    + normPrecision.id() + (normCorrection ? " norm-corr" : "");
            case "rtn" -> "b=" + bits + " per-row f32 scale";
            default -> "32-weight blocks, f16 scale";
        };
    }

    /** Same flags as {@code tq pack} takes for this setting. */
    public String packFlags() {
        return switch (method) {
            case "turboquant" -> "--bits " + bits + " --rotation " + rotation.id() + " --block " + blockLabel()
                    + " --norm " + normPrecision.id() + (normCorrection ? " --norm-correction" : "");
            case "rtn" -> "--method rtn --bits " + bits;
            default -> "--method " + method;
        };
    }
}
