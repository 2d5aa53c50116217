package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.RotationKind;

class FidelityChartTest {
    private static ComparisonRow row(Scheme s, double bpw, double cos) {
        return new ComparisonRow(s, bpw, 1, new FidelityMetrics(cos, cos - 0.1, 0.8), 1, List.of());
    }

    @Test
    void drawsTheFractionalLineBesideTheGridAndTheBaselines(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("f.png");
        FidelityChart.write(png, List.of(
                row(Scheme.turboQuant(4, 128, RotationKind.HADAMARD, NormPrecision.F16, false), 4.125, 0.965),
                row(Scheme.turboQuant(8, 128, RotationKind.HADAMARD, NormPrecision.F16, false), 8.125, 0.99983),
                row(Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.F16), 4.25, 0.971),
                row(Scheme.fractional(4.5, 128, RotationKind.HADAMARD, NormPrecision.F16), 4.5, 0.985),
                row(Scheme.fractional(4.25, 64, RotationKind.HADAMARD, NormPrecision.F16), 4.25, 0.964),
                row(Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.F16, Scheme.Budget.EVEN), 4.25, 0.968),
                row(Scheme.q4_0(), 4.5, 0.968), row(Scheme.q8_0(), 8.5, 0.99987)), "bge-small-en-v1.5");
        assertThat(png).exists();
        var image = ImageIO.read(Files.newInputStream(png));
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(680);
    }
}
