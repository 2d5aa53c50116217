package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the measured part of docs/RESULTS.md between two marker comments, so that the hand-written analysis
 * around it survives a re-run of {@code tq compare}.
 */
public final class ResultsReport {
    static final String BEGIN = "<!-- tq compare: generated, begin -->";
    static final String END = "<!-- tq compare: generated, end -->";

    /**
     * What was run, for the reader to reproduce it.
     *
     * @param embedding the embedder's settings in words ("mean pooling, max 256 tokens")
     */
    public record Context(String model, int texts, String command, String embedding) {}

    private ResultsReport() {}

    public static void write(Path file, List<ComparisonRow> rows, Context ctx) throws IOException {
        String generated = BEGIN + "\n" + render(rows, ctx) + END + "\n";
        String text;
        if (Files.exists(file)) {
            String old = Files.readString(file, StandardCharsets.UTF_8);
            int b = old.indexOf(BEGIN), e = old.indexOf(END);
            text = b >= 0 && e > b ? old.substring(0, b) + generated + old.substring(e + END.length()).stripLeading()
                    : old.stripTrailing() + "\n\n" + generated;
        } else {
            text = "# Results\n\n" + generated;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static String render(List<ComparisonRow> rows, Context ctx) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Measured with `%s` on %s: %d texts of the built-in corpus unless "
                        + "`--texts` is shown, %s. Machine: %d cores, %s %s, Java %s.%n%n",
                ctx.command(), ctx.model(), ctx.texts(), ctx.embedding(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.version()));
        sb.append("| method | settings | bits/weight | pack MB | mean cos | min cos | recall@10 | weight rel. MSE | pack s |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<ComparisonRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((ComparisonRow r) -> r.scheme().isTurboQuant() ? 0 : 1)
                .thenComparing(r -> r.scheme().family()).thenComparingDouble(ComparisonRow::bitsPerWeight));
        for (ComparisonRow r : sorted) {
            var m = r.metrics();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.2f | %.6f | %.6f | %.4f | %.2e | %.1f |%n",
                    r.scheme().method(), r.scheme().settings(), r.bitsPerWeight(), r.packBytes() / 1e6,
                    m.meanCosine(), m.minCosine(), m.recallAt10(), r.weightRelativeMse(), r.packSeconds()));
        }
        sb.append("\n").append(perTensor(rows));
        return sb.toString();
    }

    /** Relative squared error per tensor kind, for the 4- and 8-bit settings (where the race with Q4_0/Q8_0 is). */
    static String perTensor(List<ComparisonRow> rows) {
        List<ComparisonRow> picked = rows.stream().filter(r -> r.scheme().bits() == 4 || r.scheme().bits() == 8)
                .filter(r -> !r.scheme().isTurboQuant() || !r.scheme().normCorrection()).toList();
        if (picked.isEmpty()) return "";
        List<String> kinds = kinds(picked.getFirst().tensors());
        List<String> groups = kinds.stream().distinct().toList();
        StringBuilder sb = new StringBuilder("Per-tensor relative squared error ||W − Ŵ||² / ||W||² (as `tq eval` "
                + "reports it), averaged over the tensors of each kind (" + kinds.size() + " quantized tensors; "
                + "the pooler does not feed the sentence embedding):\n\n| setting | bits/weight |");
        for (String g : groups) sb.append(' ').append(g).append(" |");
        sb.append("\n|---|---:|").append("---:|".repeat(groups.size())).append('\n');
        for (ComparisonRow r : picked) {
            Map<String, double[]> acc = new LinkedHashMap<>();
            for (int i = 0; i < r.tensors().size(); i++) {
                double[] a = acc.computeIfAbsent(kinds.get(i), k -> new double[2]);
                a[0] += r.tensors().get(i).relativeMse();
                a[1]++;
            }
            sb.append(String.format(Locale.ROOT, "| %s %s | %.3f |", r.scheme().method(), r.scheme().settings(),
                    r.bitsPerWeight()));
            for (String g : groups) {
                double[] a = acc.get(g);
                sb.append(String.format(Locale.ROOT, " %.2e |", a[0] / a[1]));
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }

    /**
     * The kind of each tensor, in model order. Named tensors go by name; the exporter left the encoder's MatMul
     * weights anonymous (onnx::MatMul_N), but it emits them layer by layer in a fixed order: Q, K, V, attention
     * output, FFN in, FFN out.
     */
    static List<String> kinds(List<InMemoryQuantizer.TensorResult> tensors) {
        String[] layerOrder = {"attn Q/K/V", "attn Q/K/V", "attn Q/K/V", "attn out", "FFN in", "FFN out"};
        List<String> kinds = new ArrayList<>();
        int anonymous = 0;
        for (var t : tensors) {
            String n = t.name().toLowerCase(Locale.ROOT);
            if (n.contains("word_embeddings")) kinds.add("word emb.");
            else if (n.contains("position_embeddings")) kinds.add("pos. emb.");
            else if (n.contains("pooler")) kinds.add("pooler");
            else if (n.startsWith("onnx::matmul")) kinds.add(layerOrder[anonymous++ % layerOrder.length]);
            else kinds.add("other");
        }
        return kinds;
    }
}
