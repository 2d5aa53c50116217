package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensitivityProbeTest {
    @Test
    void rankWeightsFileRoundTripsAndAMalformedLineNamesFileAndLine(@TempDir Path tmp) throws Exception {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("onnx::MatMul_885", 0.0812345678901);
        w.put("encoder.layer.0.output.dense.weight", 4.5);
        Path f = tmp.resolve("sensitivity-x.tsv");
        SensitivityProbe.write(f, w);
        assertThat(SensitivityProbe.read(f)).containsExactlyEntriesOf(w);
        assertThat(Files.list(tmp)).containsExactly(f); // no temp file left
        Files.writeString(f, "# comment\na\t1\nb 2\n");
        assertThatThrownBy(() -> SensitivityProbe.read(f)).hasMessageContaining(f + ":3").hasMessageContaining("'b 2'");
        Files.writeString(f, "a\t-1\n");
        assertThatThrownBy(() -> SensitivityProbe.read(f)).hasMessageContaining(":1").hasMessageContaining(">= 0");
    }
}
