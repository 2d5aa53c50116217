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
 * Hadamard rotation, blocks of 128, f16 scales, no norm correction.
 *
 * @param method          quantizer for the tensors that get quantized
 * @param bits            bits per index (TurboQuant, RTN); ignored by Q4_0/Q8_0
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
 */
public record PackOptions(Method method, int bits, int blockSize, RotationKind rotation, long seed,
                          NormPrecision normPrecision, boolean normCorrection, Pattern keep, List<BitsRule> bitsFor,
                          long minElements, boolean keepNonFinite, int threads) {

    public static final long DEFAULT_MIN_ELEMENTS = 4096;

    /** {@code --bits-for REGEX=N}: tensors whose name matches get N bits. */
    public record BitsRule(Pattern pattern, int bits) {
        public static BitsRule parse(String spec) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected REGEX=BITS, got '" + spec + "'");
            int bits;
            try {
                bits = Integer.parseInt(spec.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bits in '" + spec + "' is not an integer");
            }
            if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits in '" + spec + "' must be in 1..8");
            return new BitsRule(Pattern.compile(spec.substring(0, eq)), bits);
        }
    }

    public PackOptions {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rotation, "rotation");
        Objects.requireNonNull(normPrecision, "normPrecision");
        bitsFor = List.copyOf(bitsFor);
        if (method == Method.KEPT) throw new IllegalArgumentException("method 'kept' is not a quantizer");
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
        if (blockSize < 0) throw new IllegalArgumentException("block size must be >= 0 (0 = whole row)");
        if (rotation == RotationKind.HADAMARD && blockSize != 0 && Integer.bitCount(blockSize) != 1)
            throw new IllegalArgumentException("hadamard needs a power-of-two block size, got " + blockSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
    }

    public static PackOptions defaults() {
        return new PackOptions(Method.TURBOQUANT, 4, 128, RotationKind.HADAMARD, Seeds.DEFAULT_SEED, NormPrecision.F16,
                false, null, List.of(), DEFAULT_MIN_ELEMENTS, false, Runtime.getRuntime().availableProcessors());
    }

    public PackOptions withMethod(Method m) {
        return new PackOptions(m, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads);
    }

    public PackOptions withBits(int b) {
        return new PackOptions(method, b, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads);
    }

    public PackOptions withBlock(int g, RotationKind r) {
        return new PackOptions(method, bits, g, r, seed, normPrecision, normCorrection, keep, bitsFor, minElements,
                keepNonFinite, threads);
    }

    public PackOptions withNorm(NormPrecision p, boolean correction) {
        return new PackOptions(method, bits, blockSize, rotation, seed, p, correction, keep, bitsFor, minElements,
                keepNonFinite, threads);
    }

    public PackOptions withKeep(Pattern k, List<BitsRule> rules, boolean keepNonFiniteTensors) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, k, rules,
                minElements, keepNonFiniteTensors, threads);
    }

    public PackOptions withSeed(long s) {
        return new PackOptions(method, bits, blockSize, rotation, s, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, threads);
    }

    public PackOptions withThreads(int t) {
        return new PackOptions(method, bits, blockSize, rotation, seed, normPrecision, normCorrection, keep, bitsFor,
                minElements, keepNonFinite, t);
    }

    /** The bit width for one tensor: the first matching --bits-for rule, else {@link #bits}. */
    public int bitsFor(String tensorName) {
        for (BitsRule r : bitsFor) {
            if (r.pattern().matcher(tensorName).find()) return r.bits();
        }
        return bits;
    }

    /** TurboQuant settings of one tensor. */
    public QuantConfig quantConfig(String tensorName) {
        return new QuantConfig(bitsFor(tensorName), blockSize, rotation, Seeds.tensorSeed(seed, tensorName),
                normPrecision, normCorrection);
    }
}
