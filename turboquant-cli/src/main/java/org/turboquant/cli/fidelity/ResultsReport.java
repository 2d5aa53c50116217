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

    /** What was run, for the reader to reproduce it. */
    public record Context(String model, int texts, String command) {}

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
                        + "`--texts` is shown, mean pooling, max 128 tokens. Machine: %d cores, %s %s, Java %s.%n%n",
                ctx.command(), ctx.model(), ctx.texts(), Runtime.getRuntime().availableProcessors(),
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

    /** Relative squared error per tensor group, for the settings that decide the 4- and 8-bit comparison. */
    static String perTensor(List<ComparisonRow> rows) {
        List<ComparisonRow> picked = rows.stream().filter(r -> r.scheme().bits() == 4 || r.scheme().bits() == 8)
                .filter(r -> !r.scheme().isTurboQuant() || !r.scheme().normCorrection()).toList();
        if (picked.isEmpty()) return "";
        List<String> groups = new ArrayList<>();
        for (var t : picked.getFirst().tensors()) if (!groups.contains(group(t.name()))) groups.add(group(t.name()));
        StringBuilder sb = new StringBuilder("Per-tensor relative squared error ||W − Ŵ||² / ||W||² (mean over the "
                + "tensors of each kind; " + picked.getFirst().tensors().size() + " quantized tensors):\n\n| setting |");
        for (String g : groups) sb.append(' ').append(g).append(" |");
        sb.append("\n|---|").append("---:|".repeat(groups.size())).append('\n');
        for (ComparisonRow r : picked) {
            Map<String, double[]> acc = new LinkedHashMap<>();
            for (var t : r.tensors()) {
                double[] a = acc.computeIfAbsent(group(t.name()), k -> new double[2]);
                a[0] += t.relativeMse();
                a[1]++;
            }
            sb.append("| ").append(r.scheme().method()).append(' ').append(r.scheme().settings()).append(" |");
            for (String g : groups) {
                double[] a = acc.get(g);
                sb.append(String.format(Locale.ROOT, " %.2e |", a[0] / a[1]));
            }
            sb.append('\n');
        }
        return sb.append('\n').toString();
    }

    /** Tensor kind from its ONNX name, e.g. "attention.self.query" → "query". */
    static String group(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("word_embeddings")) return "word emb.";
        if (n.contains("position_embeddings")) return "pos. emb.";
        if (n.contains("query")) return "query";
        if (n.contains("key")) return "key";
        if (n.contains("value")) return "value";
        if (n.contains("attention") && n.contains("output")) return "attn out";
        if (n.contains("intermediate")) return "ffn in";
        if (n.contains("output")) return "ffn out";
        if (n.contains("pooler")) return "pooler";
        return "other";
    }
}
