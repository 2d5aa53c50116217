package org.turboquant.loader.pack;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RotationKind;
import org.turboquant.core.Seeds;

/**
 * What {@link Packer} does with each tensor. Defaults (see docs/RESULTS.md for why): TurboQuant, 4 bits,
 * Hadamard rotation, blocks of 128, f16 scales, no norm correction, searched scales up to 5 bits.
 *
 * @param method          quantizer for the tensors that get quantized
 * @param bits            bits per index (TurboQuant, RTN); ignored by Q4_0/Q8_0. A fractional value (TurboQuant
 *                        only) is an average rate in stored bits per weight, scales included, met by mixing two
 *                        widths across blocks ({@link BitBudget})
 * @param blockSize       TurboQuant block size g, or {@link BlockLayout#WHOLE_ROW}
 * @param rotation        TurboQuant rotation
 * @param seed            user seed; each tensor's rotation seed is {@link Seeds#tensorSeed}(seed, name)
 * @param normPrecision   storage of TurboQuant block scales
 * @param normCorrection  store the least-squares scale instead of the norm
 * @param keep            tensors whose name matches are copied unchanged (null: none)
 * @param bitsFor         per-tensor bit widths, first match wins
 * @param minElements     tensors with fewer elements are copied unchanged
 * @param keepNonFinite   copy a tensor holding NaN/Inf unchanged instead of failing
 * @param threads         worker threads for quantization
 * @param scaleSearch     TurboQuant: store each block with the scale that minimises its error (searched exactly;
 *                        decoding unchanged), at widths up to {@link #SCALE_SEARCH_MAX_BITS} and without norm
 *                        correction; the default (docs/RESULTS.md, "Scale search")
 * @param rankWeights     per tensor name, a weight on its units' rank when a fractional rate deals wide units across
 *                        matrices ({@link BitBudget#rankAcrossTensors}: e.g. the output change per unit of relative
 *                        weight error that {@code tq compare --sensitivity-study} measures); tensors not named
 *                        weigh 1, and an empty map is the plain energy ranking (the default)
 */
public record PackOptions(Method method, double bits, int blockSize, RotationKind rotation, long seed,
                          NormPrecision normPrecision, boolean normCorrection, Pattern keep, List<BitsRule> bitsFor,
                          long minElements, boolean keepNonFinite, int threads, boolean scaleSearch,
                          java.util.Map<String, Double> rankWeights) {

    public static final long DEFAULT_MIN_ELEMENTS = 4096;
    /** The widest index width the scale search is applied to (measured at 3 to 5 bits; 8-bit packs are unchanged). */
    public static final int SCALE_SEARCH_MAX_BITS = 5;

    /** Without rank weights (the plain energy ranking). */
    public PackOptions(Method method, double bits, int blockSize, RotationKind rotation, long seed,
                       NormPrecision normPrecision, boolean normCorrection, Pattern keep, List<BitsRule> bitsFor,
                       long minElements, boolean keepNonFinite, int threads, boolean scaleSearch) {
        this(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor, minElements,
                keepNonFinite, threads, scaleSearch, java.util.Map.of());
    }

    /** With the default scale search. */
    public PackOptions(Method method, double bits, int blockSize, RotationKind rotation, long seed,
                       NormPrecision normPrecision, boolean normCorrection, Pattern keep, List<BitsRule> bitsFor,
                       long minElements, boolean keepNonFinite, int threads) {
        this(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor, minElements,
                keepNonFinite, threads, true);
    }

    /** {@code --bits-for REGEX=N}: tensors whose name matches get N bits (a width, or a fractional rate). */
    public record BitsRule(Pattern pattern, double bits) {
        public static BitsRule parse(String spec) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected REGEX=BITS, got '" + spec + "'");
            double bits;
            try {
                bits = Double.parseDouble(spec.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bits in '" + spec + "' is not a number");
            }
            if (!validRate(bits))
                throw new IllegalArgumentException("bits in '" + spec + "' must be a width 1..8 or a rate between 1 and 9");
            return new BitsRule(Pattern.compile(spec.substring(0, eq)), bits);
        }

        /** As written on the command line: 4 or 4.25. */
        public String label() {
            return pattern.pattern() + "=" + formatBits(bits);
        }
    }

    /** A width 1..8, or a fractional rate in (1, 9). */
    public static boolean validRate(double bits) {
        return bits == Math.rint(bits) ? bits >= 1 && bits <= 8 : bits > 1 && bits < 9;
    }

    /** Whether a value of --bits is a fractional rate rather than an index width. */
    public static boolean fractional(double bits) {
        return bits != Math.rint(bits);
    }

    /** 4 for a width, 4.25 for a rate. */
    public static String formatBits(double bits) {
        return fractional(bits) ? java.math.BigDecimal.valueOf(bits).stripTrailingZeros().toPlainString()
                : Integer.toString((int) bits);
    }

    public PackOptions {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rotation, "rotation");
        Objects.requireNonNull(normPrecision, "normPrecision");
        bitsFor = List.copyOf(bitsFor);
        if (method == Method.KEPT) throw new IllegalArgumentException("method 'kept' is not a quantizer");
        if (!validRate(bits))
            throw new IllegalArgumentException("bits must be a width 1..8 or a rate between 1 and 9, got " + formatBits(bits));
        if (method != Method.TURBOQUANT && (fractional(bits) || bitsFor.stream().anyMatch(r -> fractional(r.bits()))))
            throw new IllegalArgumentException("fractional bits need --method turboquant, not " + method.id());
        if (blockSize < 0) throw new IllegalArgumentException("block size must be >= 0 (0 = whole row)");
        if (rotation == RotationKind.HADAMARD && blockSize != 0 && Integer.bitCount(blockSize) != 1)
            throw new IllegalArgumentException("hadamard needs a power-of-two block size, got " + blockSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        rankWeights = java.util.Map.copyOf(rankWeights);
        rankWeights.forEach((name, w) -> {
            if (!(w >= 0) || !Double.isFinite(w))
                throw new IllegalArgumentException("rank weight of " + name + " must be finite and >= 0, got " + w);
        });
    }

    /** These options with per-tensor rank weights for a fractional rate (see {@link #rankWeights}). */
    public PackOptions withRankWeights(java.util.Map<String, Double> weights) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads, scaleSearch, weights);
    }

    /**
     * 4-bit TurboQuant, Hadamard, blocks of 128, searched scales, <b>f16</b> scale storage. Not the scales {@code tq pack}
     * stores by default: its {@code --norm auto} is resolved against the rate it is given ({@link #defaultNorm}: log8
     * up to 5 bits, f16 above), while a record holds one precision that {@link #withBits} does not re-resolve, so
     * {@code defaults().withBits(8)} would keep log8 on an 8-bit pack that tq pack stores with f16. The library
     * default therefore stays the precision valid at every width; for tq pack's packs at rate {@code b} use
     * {@code defaults().withBits(b).withNorm(PackOptions.defaultNorm(b, true), false)} (what {@code tq demo} does).
     */
    public static PackOptions defaults() {
        return new PackOptions(Method.TURBOQUANT, 4, 128, RotationKind.HADAMARD, Seeds.DEFAULT_SEED, NormPrecision.F16,
                false, null, List.of(), DEFAULT_MIN_ELEMENTS, false, Runtime.getRuntime().availableProcessors());
    }

    public PackOptions withMethod(Method m) {
        return new PackOptions(m, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads, scaleSearch, rankWeights);
    }

    public PackOptions withBits(double b) {
        return new PackOptions(method, b, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads, scaleSearch, rankWeights);
    }

    public PackOptions withBlock(int g, RotationKind r) {
        return new PackOptions(method, bits, g, r, seed, normPrecision, normCorrection, keep, bitsFor, minElements,
                keepNonFinite, threads, scaleSearch, rankWeights);
    }

    public PackOptions withNorm(NormPrecision p, boolean correction) {
        return new PackOptions(method, bits, blockSize, rotation, seed, p, correction, keep, bitsFor, minElements,
                keepNonFinite, threads, scaleSearch, rankWeights);
    }

    public PackOptions withKeep(Pattern k, List<BitsRule> rules, boolean keepNonFiniteTensors) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, k, rules,
                minElements, keepNonFiniteTensors, threads, scaleSearch, rankWeights);
    }

    public PackOptions withSeed(long s) {
        return new PackOptions(method, bits, blockSize, rotation, s, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads, scaleSearch, rankWeights);
    }

    public PackOptions withThreads(int t) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, t, scaleSearch, rankWeights);
    }

    public PackOptions withScaleSearch(boolean on) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads, on, rankWeights);
    }

    /** The bits for one tensor (a width or a fractional rate): the first matching --bits-for rule, else {@link #bits}. */
    public double bitsFor(String tensorName) {
        for (BitsRule r : bitsFor) {
            if (r.pattern().matcher(tensorName).find()) return r.bits();
        }
        return bits;
    }

    /**
     * {@code tq pack --norm auto}: log8 scales where the scale is searched ({@code scaleSearch} and a base width up to
     * {@link #SCALE_SEARCH_MAX_BITS}: it measured better end to end at the same size, docs/RESULTS.md), else f16.
     */
    public static NormPrecision defaultNorm(double bits, boolean scaleSearch) {
        return scaleSearch && Math.floor(bits) <= SCALE_SEARCH_MAX_BITS ? NormPrecision.LOG8 : NormPrecision.F16;
    }

    /** Whether blocks of this width get the scale search (the narrow width decides for a mixed tensor). */
    public boolean searchesScale(int bits) {
        return scaleSearch && !normCorrection && bits <= SCALE_SEARCH_MAX_BITS;
    }

    /** TurboQuant settings of one tensor at a given index width (its narrow width when mixed). */
    public QuantConfig quantConfig(String tensorName, int bits) {
        return new QuantConfig(bits, blockSize, rotation, Seeds.tensorSeed(seed, tensorName),
                normPrecision, normCorrection, searchesScale(bits));
    }
}
