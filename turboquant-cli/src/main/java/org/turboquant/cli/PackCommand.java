package org.turboquant.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.turboquant.cli.fidelity.SensitivityProbe;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;
import org.turboquant.loader.pack.Manifest;
import org.turboquant.loader.pack.Method;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.source.TensorSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tq pack: quantize a model into a pack directory. */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = "Quantize the 2-D weight matrices of a .safetensors file, a checkpoint directory or an .onnx "
                + "model into a pack directory (turboquant_weights.safetensors + quant_manifest.json).")
final class PackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT") Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR") Path output;

    @Option(names = "--bits", defaultValue = "4", description = {"Bits per index, 1..8 (default ${DEFAULT-VALUE}); or a "
            + "fractional rate such as 4.25: stored bits per weight, scales included, met by giving the highest-energy "
            + "blocks one more bit (turboquant only; matrices that multiply activations before look-up tables)."})
    double bits;

    @Option(names = "--method", defaultValue = "turboquant",
            description = "turboquant | rtn | q4_0 | q8_0 | q3_k | q4_k | q5_k | q6_k | iq4_nl | iq4_xs (llama.cpp's "
                    + "formats without an importance matrix, docs/FORMAT.md §8) (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--block", defaultValue = "128", description = "Block size g, or 'row' (default ${DEFAULT-VALUE}).")
    String block;

    @Option(names = "--rotation", defaultValue = "hadamard", description = "qr | hadamard (default ${DEFAULT-VALUE}).")
    String rotation;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the rotations (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--norm", defaultValue = "auto", description = {"Storage of block scales: f16 | f32 | log8 (one byte "
            + "on a log grid under a per-tensor unit, docs/FORMAT.md) | auto: log8 where scales are searched (widths up "
            + "to 5 bits), else f16 (default ${DEFAULT-VALUE})."})
    String norm;

    @Option(names = "--norm-correction", description = "Store the least-squares scale <x,x^>/|x^|^2 instead of |x|.")
    boolean normCorrection;

    @Option(names = "--scale", defaultValue = "search", paramLabel = "search|norm",
            description = {"Block scales: 'search' stores each block with the scale that minimises its error (exact "
                    + "search; decoding and speed unchanged; widths up to 5 bits, not with --norm-correction), "
                    + "'norm' the block's norm (default ${DEFAULT-VALUE})."})
    String scale;

    @Option(names = "--keep", paramLabel = "REGEX", description = "Copy tensors whose name matches (anywhere in the "
            + "name) unchanged; repeatable (--keep a --keep b keeps both). A pattern that matches no tensor is an error.")
    List<String> keep = new ArrayList<>();

    @Option(names = "--bits-for", paramLabel = "REGEX=N", description = "Bits (a width or a fractional rate) for "
            + "matching tensors; repeatable, first match wins. A pattern that matches no tensor is an error.")
    List<String> bitsFor = new ArrayList<>();

    @Option(names = "--min-elements", defaultValue = "4096", description = "Smaller tensors are kept (default ${DEFAULT-VALUE}).")
    long minElements;

    @Option(names = "--keep-non-finite", description = "Copy tensors holding NaN/Inf unchanged instead of failing.")
    boolean keepNonFinite;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--force", description = "Replace OUTDIR if it is a pack (or empty). Anything else is refused; "
            + "the old pack stays until the new one is complete.") boolean force;

    @Option(names = "--rank-weights", paramLabel = "FILE", description = "A fractional rate's wide units ranked "
            + "with per-tensor weights ('TENSOR<TAB>WEIGHT' lines, e.g. the sensitivity-MODEL.tsv that tq compare "
            + "--sensitivity-study writes; unnamed tensors weigh 1). Default: the plain energy ranking.")
    Path rankWeights;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar, no summary.") boolean quiet;

    @Override
    public Integer call() throws Exception {
        PackOptions options = options();
        Packer.Summary s;
        try (TensorSource source = TensorSource.open(input)) {
            for (String k : keep) {
                Pattern p = Pattern.compile(k);
                if (source.tensors().stream().noneMatch(t -> p.matcher(t.name()).find()))
                    throw new IllegalArgumentException("--keep '" + k + "' matches no tensor of " + input);
            }
            s = Packer.pack(source, output, options, force, ConsoleProgress.create("pack", quiet));
        }
        if (!quiet) {
            System.out.printf(Locale.ROOT, "packed %d tensors into %s: %s (%s)%n", s.tensors(), s.outDir(),
                    counts(TqPack.readManifest(s.outDir())), settings(options));
            System.out.printf(Locale.ROOT, "%s, %.3f bits per weight overall, %.3f over quantized tensors, %.1f s%n",
                    Sizes.human(s.packBytes()), s.bitsPerWeight(), s.quantizedBitsPerWeight(), s.seconds());
        }
        return 0;
    }

    PackOptions options() throws IOException {
        List<PackOptions.BitsRule> rules = bitsFor.stream().map(PackOptions.BitsRule::parse).toList();
        int g = "row".equalsIgnoreCase(block.trim()) ? BlockLayout.WHOLE_ROW : parseBlock(block);
        return new PackOptions(Method.parse(method), bits, g, RotationKind.parse(rotation), seed,
                normPrecision(), normCorrection, keepPattern(keep), rules,
                minElements, keepNonFinite, threads == null ? Runtime.getRuntime().availableProcessors() : threads,
                scaleSearch(scale) && !normCorrection,
                rankWeights == null ? Map.of() : SensitivityProbe.read(rankWeights));
    }

    private NormPrecision normPrecision() {
        if (!"auto".equalsIgnoreCase(norm.trim())) return NormPrecision.parse(norm);
        return PackOptions.defaultNorm(bits, scaleSearch(scale) && !normCorrection);
    }

    private static boolean scaleSearch(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "search" -> true;
            case "norm" -> false;
            default -> throw new IllegalArgumentException("--scale must be search or norm, got '" + s + "'");
        };
    }

    private static int parseBlock(String s) {
        try {
            int g = Integer.parseInt(s.trim());
            if (g < 1) throw new IllegalArgumentException("--block must be 'row' or a positive size, got " + s);
            return g;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--block must be 'row' or a positive size, got '" + s + "'");
        }
    }

    /** Several --keep patterns as one: a tensor is kept when any of them matches. */
    static Pattern keepPattern(List<String> patterns) {
        if (patterns.isEmpty()) return null;
        for (String p : patterns) Pattern.compile(p); // a syntax error names the pattern it is in
        return Pattern.compile(patterns.size() == 1 ? patterns.getFirst()
                : String.join("|", patterns.stream().map(p -> "(?:" + p + ")").toList()));
    }

    /** What was done, per method and width, most frequent first: "120 turboquant 4-bit, 2 turboquant 8-bit, 30 kept". */
    static String counts(Manifest m) {
        Map<String, Integer> byKind = new LinkedHashMap<>();
        for (Manifest.TensorEntry e : m.tensors()) byKind.merge(kind(e), 1, Integer::sum);
        return byKind.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String kind(Manifest.TensorEntry e) {
        return switch (e.method()) {
            case "turboquant" -> "turboquant " + e.bits() + (e.mixed() ? "/" + e.wideBits() : "") + "-bit";
            case "rtn" -> "rtn " + e.bits() + "-bit";
            default -> e.method();
        };
    }

    /** The settings that apply to every quantized tensor. */
    private static String settings(PackOptions o) {
        return switch (o.method()) {
            case TURBOQUANT -> (PackOptions.fractional(o.bits()) ? PackOptions.formatBits(o.bits())
                    + " bits per weight overall, " : "") + o.rotation().id() + ", block "
                    + (o.blockSize() == 0 ? "row" : o.blockSize()) + ", " + o.normPrecision().id() + " norms"
                    + (o.normCorrection() ? ", norm correction" : "")
                    + (o.searchesScale((int) Math.floor(o.bits())) ? ", searched scales" : "");
            default -> o.method().id();
        };
    }
}
