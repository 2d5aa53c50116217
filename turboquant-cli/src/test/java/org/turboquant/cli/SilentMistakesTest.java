package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.turboquant.cli.OutputSafetyTest.assertOneLine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Issue 11, "silent mistakes": a pattern that matches nothing, the summary of what was really done, repeated
 * options, and {@code tq eval} against another checkpoint than the one the pack came from.
 */
class SilentMistakesTest {
    private static final List<String> NAMES = List.of("layers.0.attn.q.weight", "layers.0.attn.k.weight",
            "layers.0.mlp.up.weight", "layers.0.mlp.down.weight");

    @TempDir Path dir;
    Path model;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        model = checkpoint(dir.resolve("model.safetensors"), 1);
    }

    /** Four 64 × 128 matrices of seeded Gaussians. */
    private static Path checkpoint(Path file, long seed) throws IOException {
        Random rnd = new Random(seed);
        try (SafetensorsWriter w = SafetensorsWriter.create(file,
                NAMES.stream().map(n -> TensorSpec.of(n, DType.F32, 64, 128)).toList(), Map.of())) {
            float[] v = new float[64 * 128];
            for (String ignored : NAMES) {
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
                w.writeFloats(v, 0, v.length);
            }
        }
        return file;
    }

    @Test
    void aPatternThatMatchesNothingIsAUsageErrorNamingIt() {
        Path out = dir.resolve("out");
        CliRun keep = CliRun.of("pack", model.toString(), "-o", out.toString(), "--keep", "attn", "--keep", "atn\\.v", "--quiet");
        assertThat(keep.exitCode()).isEqualTo(1);
        assertOneLine(keep, "tq pack: ", "--keep 'atn\\.v'", "matches no tensor");

        CliRun bits = CliRun.of("pack", model.toString(), "-o", out.toString(), "--bits-for", "mlp=3", "--bits-for",
                "nowhere=2", "--quiet");
        assertThat(bits.exitCode()).isEqualTo(1);
        assertOneLine(bits, "tq pack: ", "nowhere", "matches no tensor");
        assertThat(out).doesNotExist();
    }

    @Test
    void repeatedKeepKeepsEveryMatchAndTheSummaryCountsWhatWasDone() throws IOException {
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("pack", model.toString(), "-o", out.toString(), "--keep", "q\\.weight", "--keep",
                "k\\.weight", "--bits-for", "down=2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow())
                .startsWith("packed 4 tensors into ")
                .contains(": 2 kept, 1 turboquant 4-bit, 1 turboquant 2-bit (");

        Map<String, String> methods = new LinkedHashMap<>();
        for (JsonNode t : new ObjectMapper().readTree(CliRun.of("inspect", out.toString(), "--json").out()).get("tensors"))
            methods.put(t.get("name").asText(), t.get("method").asText() + (t.has("bits") ? t.get("bits").asInt() : ""));
        assertThat(methods).containsExactlyInAnyOrderEntriesOf(Map.of(NAMES.get(0), "kept", NAMES.get(1), "kept",
                NAMES.get(2), "turboquant4", NAMES.get(3), "turboquant2"));
    }

    @Test
    void evalAgainstAnotherCheckpointWithTheSameNamesIsRefusedUnlessForced() throws IOException {
        Path pack = dir.resolve("pack");
        assertThat(CliRun.of("pack", model.toString(), "-o", pack.toString(), "--quiet").exitCode()).isZero();
        Path other = checkpoint(dir.resolve("other.safetensors"), 2);

        CliRun refused = CliRun.of("eval", other.toString(), pack.toString(), "--quiet");
        assertThat(refused.exitCode()).isNotZero().isEqualTo(2);
        assertOneLine(refused, "tq eval: ", "other.safetensors", "differs from the source", "sha256", "--force");
        assertThat(refused.out()).isEmpty();

        CliRun forced = CliRun.of("eval", other.toString(), pack.toString(), "--quiet", "--force", "--json");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        double cosine = new ObjectMapper().readTree(forced.out()).get("tensors").get(0).get("cosine").asDouble();
        assertThat(Math.abs(cosine)).as("unrelated weights").isLessThan(0.1);
        CliRun own = CliRun.of("eval", model.toString(), pack.toString(), "--quiet", "--json");
        assertThat(new ObjectMapper().readTree(own.out()).get("tensors").get(0).get("cosine").asDouble()).isGreaterThan(0.99);
    }
}
