package org.turboquant.cli.fidelity;

import java.util.Locale;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;

/**
 * One quantization setting raced in {@code tq compare}.
 *
 * @param method         turboquant, rtn, q4_0, q8_0, or one of llama.cpp's K/IQ formats (q3_k .. iq4_xs)
 * @param bits           bits per index (turboquant, rtn); 4 or 8 for q4_0/q8_0; for a fractional rate its floor
 * @param blockSize      turboquant block, {@link BlockLayout#WHOLE_ROW} for the whole row
 * @param rotation       turboquant rotation (null for baselines)
 * @param normPrecision  turboquant scale storage (null for baselines)
 * @param normCorrection turboquant least-squares scale
 * @param rate           the requested bits per weight of a fractional TurboQuant setting ({@code --bits 4.25},
 *                       norms, width maps and codebooks included); equal to {@code bits} otherwise
 * @param budget         how a fractional rate is spread over the tensors; null unless fractional
 * @param scaleSearch    turboquant: each block's scale searched for the least error ({@code tq pack}'s default up
 *                       to 5 bits)
 * @param subScaleBits   turboquant: 0, or bits of an integer sub-scale per {@value #SUB_BLOCK} rotated coordinates
 *                       under a log8 super-scale per block (core's {@code SubScaledMatrices}; measured in memory
 *                       only, no pack format)
 */
public record Scheme(String method, int bits, int blockSize, RotationKind rotation, NormPrecision normPrecision,
                     boolean normCorrection, double rate, Budget budget, boolean scaleSearch, int subScaleBits) {

    /** Rotated coordinates per sub-scale. */
    public static final int SUB_BLOCK = 32;

    /** How the spare bits of a fractional rate are spread over the tensors (loader's {@code BitBudget}). */
    public enum Budget {
        /**
         * {@code tq pack}'s policy: look-up tables keep the base width, the matrices that multiply activations widen
         * first, their wide units ranked across tensors by each unit's share of its tensor's energy.
         */
        PACK,
        /** An alternative: as {@link #PACK}, but every matrix gets the same share of wide units. */
        SAME_SHARE,
        /** An alternative: every tensor treated alike, embedding tables included, the same share each. */
        EVEN,
        /**
         * A candidate: as {@link #PACK}, each unit's share of its tensor's energy weighted by the tensor's measured
         * sensitivity (output change per unit of relative weight error, {@link SensitivityProbe}).
         */
        SENSITIVITY
    }

    public Scheme {
        if (budget != null && !(rate >= 1 && rate <= 9)) throw new IllegalArgumentException("rate " + rate);
        if (subScaleBits != 0 && !(scaleSearch && normPrecision == NormPrecision.LOG8 && blockSize % SUB_BLOCK == 0))
            throw new IllegalArgumentException("sub-scales need searched log8 scales and blocks of a multiple of " + SUB_BLOCK);
    }

    public Scheme(String method, int bits, int blockSize, RotationKind rotation, NormPrecision normPrecision,
                  boolean normCorrection, double rate, Budget budget, boolean scaleSearch) {
        this(method, bits, blockSize, rotation, normPrecision, normCorrection, rate, budget, scaleSearch, 0);
    }

    /** This searched log8 TurboQuant setting with {@code b}-bit sub-scales per {@value #SUB_BLOCK} coordinates. */
    public Scheme withBudget(Budget b) {
        if (!isFractional()) throw new IllegalArgumentException("a budget needs a fractional rate");
        return new Scheme(method, bits, blockSize, rotation, normPrecision, normCorrection, rate, b, scaleSearch, subScaleBits);
    }

    public Scheme subScaled(int b) {
        return new Scheme(method, bits, blockSize, rotation, normPrecision, false, rate, budget, scaleSearch, b);
    }

    /** Bits a block's scales take: the scale, and with sub-scales their codes. */
    public int scaleBitsPerBlock() {
        return 8 * normPrecision.bytes() + (subScaleBits == 0 ? 0 : blockSize / SUB_BLOCK * subScaleBits);
    }

    /** Without scale search. */
    public Scheme(String method, int bits, int blockSize, RotationKind rotation, NormPrecision normPrecision,
                  boolean normCorrection, double rate, Budget budget) {
        this(method, bits, blockSize, rotation, normPrecision, normCorrection, rate, budget, false);
    }

    /** This TurboQuant setting with each block's scale searched ({@code tq pack --scale search}). */
    public Scheme searched() {
        if (!isTurboQuant() || normCorrection) throw new IllegalArgumentException("scale search needs turboquant without norm correction");
        return new Scheme(method, bits, blockSize, rotation, normPrecision, false, rate, budget, true);
    }

    public static Scheme turboQuant(int bits, int block, RotationKind rotation, NormPrecision norm, boolean correction) {
        return new Scheme("turboquant", bits, block, rotation, norm, correction, bits, null);
    }

    /**
     * Fractional TurboQuant as {@code tq pack --bits RATE} does it: widths b and b + 1 mixed across allocation units
     * by energy, spare bits to the matrices that multiply activations before the look-up tables.
     */
    public static Scheme fractional(double rate, int block, RotationKind rotation, NormPrecision norm) {
        return fractional(rate, block, rotation, norm, Budget.PACK);
    }

    public static Scheme fractional(double rate, int block, RotationKind rotation, NormPrecision norm, Budget budget) {
        return new Scheme("turboquant", (int) Math.floor(rate), block, rotation, norm, false, rate,
                java.util.Objects.requireNonNull(budget, "budget"));
    }

    public static Scheme rtn(int bits) { return new Scheme("rtn", bits, 0, null, null, false, bits, null); }

    public static Scheme q4_0() { return new Scheme("q4_0", 4, 32, null, null, false, 4, null); }

    public static Scheme q8_0() { return new Scheme("q8_0", 8, 32, null, null, false, 8, null); }

    /** llama.cpp's K-/IQ-quant format (no importance matrix), as {@code tq pack --method ID} stores it. */
    public static Scheme llama(org.turboquant.core.baseline.BlockFormat f) {
        int codeBits = switch (f) {
            case Q3_K -> 3;
            case Q5_K -> 5;
            case Q6_K -> 6;
            default -> 4;
        };
        return new Scheme(f.id(), codeBits, f.weights(), null, null, false, codeBits, null);
    }

    /** The formats {@code tq compare} races: Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS. */
    public static java.util.List<Scheme> llamaFormats() {
        return java.util.Arrays.stream(org.turboquant.core.baseline.BlockFormat.values()).map(Scheme::llama).toList();
    }

    /** The block format of a K/IQ scheme, else null. */
    public static org.turboquant.core.baseline.BlockFormat blockFormat(Scheme s) {
        for (var f : org.turboquant.core.baseline.BlockFormat.values()) if (f.id().equals(s.method())) return f;
        return null;
    }

    public boolean isTurboQuant() { return method.equals("turboquant"); }

    /** A TurboQuant setting with a requested bits-per-weight rate rather than one width. */
    public boolean isFractional() { return budget != null; }

    /** The curve this setting belongs to in the chart: bit widths vary along a line. */
    public String family() {
        if (!isTurboQuant()) return method.equals("rtn") ? "RTN per row" : method.toUpperCase(Locale.ROOT);
        if (isFractional()) {
            boolean packDefaults = blockSize == 128 && rotation == RotationKind.HADAMARD
                    && normPrecision == NormPrecision.F16;
            return "TurboQuant, fractional" + (scaleSearch ? ", search" : "") + (subScaleBits > 0 ? ", sub-scales" : "") + (packDefaults ? "" : ", " + rotation.id() + " " + blockLabel()
                    + normLabel())
                    + suffix(", spread evenly", ", same share per matrix", ", by sensitivity");
        }
        return "TQ " + rotation.id() + " " + blockLabel() + (normCorrection ? " nc" : "") + (scaleSearch ? " search" : "")
                + (subScaleBits > 0 ? " sub" : "")
                + normLabel();
    }

    /** " f32" or " log8" for scale storage other than the default f16. */
    private String normLabel() {
        return normPrecision == NormPrecision.F16 ? "" : " " + normPrecision.id();
    }

    public String blockLabel() {
        return blockSize == BlockLayout.WHOLE_ROW ? "row" : Integer.toString(blockSize);
    }

    /** The rate as {@code --bits} takes it: 4.25, 3.5 (no trailing zeros). */
    public String rateLabel() {
        return java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
    }

    /** Settings column of the results table. */
    public String settings() {
        return switch (method) {
            case "turboquant" -> "b=" + (isFractional() ? rateLabel() : Integer.toString(bits)) + " " + rotation.id()
                    + " block=" + blockLabel() + " " + normPrecision.id() + (normCorrection ? " norm-corr" : "")
                    + (scaleSearch ? " search" : "")
                    + (subScaleBits > 0 ? " sub" + SUB_BLOCK + "x" + subScaleBits + "b" : "")
                    + suffix(" spread-evenly", " same-share", " by-sensitivity");
            case "rtn" -> "b=" + bits + " per-row f32 scale";
            case "q4_0", "q8_0" -> "32-weight blocks, f16 scale";
            case "iq4_nl" -> "32-weight blocks, f16 scale, non-linear grid";
            case "iq4_xs" -> "256-weight super-blocks, 6-bit scales of 32, grid";
            default -> "256-weight super-blocks, 6-bit sub-scales";
        };
    }

    /**
     * Same flags as {@code tq pack} takes for this setting. The even spread is no pack option (the packer always
     * keeps look-up tables at the base width); its flags say so.
     */
    public String packFlags() {
        return switch (method) {
            case "turboquant" -> "--bits " + (isFractional() ? rateLabel() : Integer.toString(bits)) + " --rotation "
                    + rotation.id() + " --block " + blockLabel() + " --norm " + normPrecision.id()
                    + (normCorrection ? " --norm-correction" : "")
                    + (!scaleSearch && !normCorrection && bits <= 5 ? " --scale norm" : "")
                    + (subScaleBits > 0 ? " (sub-scales: no pack format yet)" : "")
                    + suffix(" (spread evenly: not a tq pack policy)", " (same share per matrix: not a tq pack policy)",
                            " --rank-weights sensitivity-MODEL.tsv");
            case "rtn" -> "--method rtn --bits " + bits;
            default -> "--method " + method;
        };
    }

    /** The label part of a budget other than tq pack's. */
    private String suffix(String even, String sameShare, String sensitivity) {
        return budget == Budget.EVEN ? even : budget == Budget.SAME_SHARE ? sameShare
                : budget == Budget.SENSITIVITY ? sensitivity : "";
    }
}
