package org.turboquant.cli.fidelity;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.turboquant.loader.source.TensorSource;

/**
 * Races quantization settings on one ONNX sentence encoder: the original embeddings are computed once, then each
 * setting is quantized in memory, run in ONNX Runtime and scored against them.
 */
public final class ComparisonRunner {
    private final Path model;
    private final SentenceEmbedder embedder;
    private final List<String> texts;
    private final PrintStream log;

    public ComparisonRunner(Path model, SentenceEmbedder embedder, List<String> texts, PrintStream log) {
        this.model = model;
        this.embedder = embedder;
        this.texts = texts;
        this.log = log;
    }

    private java.util.Map<String, Double> sensitivities = java.util.Map.of();

    /** The sensitivities the last {@link #run} measured (empty when no setting used them). */
    public java.util.Map<String, Double> sensitivities() {
        return sensitivities;
    }

    public List<ComparisonRow> run(List<Scheme> schemes) throws IOException, OrtException {
        SentenceEmbedder.Tokens tokens = embedder.tokenize(texts);
        long t0 = System.nanoTime();
        float[][] original = embedder.embed(tokens);
        log.printf("original embeddings of %d texts: %.1f s%n", texts.size(), (System.nanoTime() - t0) / 1e9);
        List<ComparisonRow> rows = new ArrayList<>();
        try (TensorSource source = TensorSource.open(model)) {
            InMemoryQuantizer quantizer = new InMemoryQuantizer(source);
            if (schemes.stream().anyMatch(s -> s.budget() == Scheme.Budget.SENSITIVITY)) {
                sensitivities = SensitivityProbe.measure(embedder, quantizer, log);
                quantizer.useSensitivities(sensitivities);
            }
            for (Scheme s : schemes) {
                InMemoryQuantizer.Result r = quantizer.apply(s);
                long t1 = System.nanoTime();
                FidelityMetrics m = FidelityMetrics.of(original, embedder.embed(tokens, r.overrides()));
                ComparisonRow row = new ComparisonRow(s, r.bitsPerWeight(), r.packBytes(), m, r.seconds(), r.tensors());
                rows.add(row);
                log.printf("%-10s %-42s %6.3f bpw  cos %.6f  min %.6f  R@10 %.4f  relMSE %.2e  (%.1f s + %.1f s)%n",
                        s.method(), s.settings(), row.bitsPerWeight(), m.meanCosine(), m.minCosine(), m.recallAt10(),
                        row.weightRelativeMse(), r.seconds(), (System.nanoTime() - t1) / 1e9);
            }
        }
        return rows;
    }
}
