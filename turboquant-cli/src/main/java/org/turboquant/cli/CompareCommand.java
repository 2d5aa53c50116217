package org.turboquant.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.turboquant.cli.fidelity.ComparisonRow;
import org.turboquant.cli.fidelity.ComparisonRunner;
import org.turboquant.cli.fidelity.FidelityChart;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.ResultsReport;
import org.turboquant.cli.fidelity.Scheme;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** tq compare: TurboQuant settings against RTN, Q4_0 and Q8_0 on a real sentence encoder. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Race TurboQuant (b = 1,2,3,4,8 x qr/hadamard x block row/128/64/32) against RTN, Q4_0 and Q8_0 "
                + "on all-MiniLM-L6-v2 (or --model) and write a results table and chart.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = "--model", description = "ONNX sentence encoder (default: all-MiniLM-L6-v2 from the class path)")
    Path model;

    @Option(names = "--tokenizer", description = "tokenizer JSON (default: the one beside the model)")
    Path tokenizer;

    @Option(names = "--texts", description = "one text per line (default: the built-in corpus)")
    Path texts;

    @Option(names = "--pooling", defaultValue = "mean", description = "mean or cls (default: ${DEFAULT-VALUE})")
    String pooling;

    @Option(names = "--max-length", defaultValue = "" + SentenceEmbedder.DEFAULT_MAX_LENGTH, description = "tokens per text (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--out", defaultValue = "docs/RESULTS.md", description = "results table (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--chart", defaultValue = "docs/fidelity.png", description = "chart PNG (default: ${DEFAULT-VALUE})")
    Path chart;

    @Option(names = "--quick", description = "a subset: TurboQuant hadamard/128 and qr/row at every bit width, and the baselines")
    boolean quick;

    @Option(names = "--cache", description = "where the bundled model is extracted (default: ~/.cache/turboquant/all-minilm-l6-v2)")
    Path cache;

    @Override
    public Integer call() throws Exception {
        ModelFiles files = model != null
                ? new ModelFiles(model, tokenizer != null ? tokenizer : FidelityCommand.tokenizerBeside(model))
                : ModelFiles.extractMiniLm(cache != null ? cache : ModelFiles.defaultCache());
        List<String> corpus = texts != null ? TextCorpus.read(texts) : TextCorpus.builtIn();
        List<ComparisonRow> rows;
        try (SentenceEmbedder embedder = new SentenceEmbedder(files.model(), files.tokenizer(), Pooling.parse(pooling),
                maxLength)) {
            rows = new ComparisonRunner(files.model(), embedder, corpus, System.err).run(schemes(quick));
        }
        ResultsReport.write(out, rows, new ResultsReport.Context(files.model().getFileName().toString(),
                corpus.size(), String.join(" ", commandLine())));
        FidelityChart.write(chart, rows);
        System.out.println("wrote " + out + " and " + chart);
        return 0;
    }

    private List<String> commandLine() {
        List<String> parts = new ArrayList<>(List.of("tq", "compare"));
        if (quick) parts.add("--quick");
        if (texts != null) parts.add("--texts " + texts);
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
        for (int b : new int[] {2, 4, 8}) list.add(Scheme.rtn(b));
        list.add(Scheme.q4_0());
        list.add(Scheme.q8_0());
        return list;
    }
}
