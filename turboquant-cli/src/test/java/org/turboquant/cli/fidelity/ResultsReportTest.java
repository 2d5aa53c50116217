package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;

class ResultsReportTest {
    private static InMemoryQuantizer.TensorResult tensor(String name, double relMse) {
        return new InMemoryQuantizer.TensorResult(name, new long[] {384, 384}, 1000, relMse);
    }

    private static ComparisonRow row(Scheme s, double cos, double relMse) {
        return new ComparisonRow(s, s.bits() + 0.125, 11_000_000, new FidelityMetrics(cos, cos - 0.1, 0.8), 1.5,
                List.of(tensor("embeddings.word_embeddings.weight", relMse), tensor("onnx::MatMul_885", relMse),
                        tensor("onnx::MatMul_886", relMse), tensor("onnx::MatMul_889", relMse),
                        tensor("onnx::MatMul_895", relMse), tensor("onnx::MatMul_896", relMse),
                        tensor("onnx::MatMul_897", 2 * relMse), tensor("onnx::MatMul_898", relMse)));
    }

    @Test
    void anonymousMatMulsAreNamedByTheirPlaceInTheLayer() {
        List<String> kinds = ResultsReport.kinds(row(Scheme.q4_0(), 0.9, 0.01).tensors());
        assertThat(kinds).containsExactly("word emb.", "attn Q/K/V", "attn Q/K/V", "attn Q/K/V", "attn out", "FFN in",
                "FFN out", "attn Q/K/V");
    }

    @Test
    void regeneratingKeepsTheHandWrittenTextAroundTheMarkers(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("RESULTS.md");
        Files.writeString(file, "# Mine\n\nanalysis above\n\n" + ResultsReport.BEGIN + "\nold table\n" + ResultsReport.END
                + "\n\nnotes below\n");
        var ctx = new ResultsReport.Context("m.onnx", 617, "tq compare", "mean pooling, max 256 tokens");
        var tq = Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false);
        ResultsReport.write(file, List.of(row(tq, 0.965, 0.0093), row(Scheme.q4_0(), 0.968, 0.0078)), ctx);

        String text = Files.readString(file);
        assertThat(text).startsWith("# Mine\n\nanalysis above\n\n").contains("notes below").doesNotContain("old table");
        assertThat(text).contains("| turboquant | b=4 hadamard block=128 f16 | 4.125 |").contains("| 0.965000 |")
                .contains("| q4_0 | 32-weight blocks, f16 scale |");
        // Per-kind means: FFN out carries the doubled error.
        assertThat(text).contains("| FFN out |").contains("1.86e-02");
    }
}
