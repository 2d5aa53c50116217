package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tq embed on the built-in all-MiniLM-L6-v2 without a pack (the model's FP32 weights in the Java runtime): JSON lines,
 * the .npy output holding the same vectors, and bad inputs refused with one line and a non-zero exit code (1 usage, 2 bad input, 3 I/O; these are 1 or 2 today).
 */
class EmbedCommandTest {
    private static final List<String> TEXTS = List.of("A cat sits on the mat.", "# a comment line, skipped",
            "Quantized weights, fused kernels.", "", "The third text is a little longer than the other two are.");
    private static final int DIM = 384;

    @TempDir Path dir;

    private Path texts() throws Exception {
        Path f = dir.resolve("texts.txt");
        Files.write(f, TEXTS);
        return f;
    }

    @Test
    void jsonLinesAndNpyCarryTheSameUnitVectors() throws Exception {
        Path texts = texts();
        CliRun json = CliRun.of("embed", "--model", "minilm", "--texts", texts.toString(), "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        List<String> lines = json.out().lines().toList();
        assertThat(lines).hasSize(3); // blank and # lines skipped
        ObjectMapper mapper = new ObjectMapper();
        float[][] fromJson = new float[3][DIM];
        for (int i = 0; i < 3; i++) {
            JsonNode node = mapper.readTree(lines.get(i));
            assertThat(node.get("text").asText()).isEqualTo(List.of(TEXTS.get(0), TEXTS.get(2), TEXTS.get(4)).get(i));
            JsonNode e = node.get("embedding");
            assertThat(e.size()).isEqualTo(DIM);
            double norm = 0;
            for (int j = 0; j < DIM; j++) {
                fromJson[i][j] = (float) e.get(j).asDouble();
                norm += fromJson[i][j] * fromJson[i][j];
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(cos(fromJson[0], fromJson[1])).as("different texts, different vectors").isLessThan(0.95);

        Path npy = dir.resolve("v.npy");
        CliRun bin = CliRun.of("embed", "--model", "minilm", "--texts", texts.toString(), "--out", npy.toString(),
                "--batch", "2");
        assertThat(bin.exitCode()).as(bin.err()).isZero();
        assertThat(bin.out()).isEmpty();
        byte[] b = Files.readAllBytes(npy);
        assertThat(new String(b, 1, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, headerLen, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(header).contains("'<f4'").contains("(3, " + DIM + ")");
        assertThat(b.length).isEqualTo(10 + headerLen + 3 * DIM * Float.BYTES);
        ByteBuffer data = ByteBuffer.wrap(b, 10 + headerLen, 3 * DIM * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < DIM; j++)
                // batch 2 vs batch 32 and JSON's shortest decimal: the same vector to float rounding
                assertThat(data.getFloat()).isCloseTo(fromJson[i][j], org.assertj.core.data.Offset.offset(1e-6f));
    }

    /** The race's yardstick: --engine ort embeds the same texts as the Java runtime, timing every pass. */
    @Test
    void ortEngineMatchesTheJavaRuntimeAndTimesEachPass() throws Exception {
        Path texts = texts();
        Path java = dir.resolve("java.npy"), ort = dir.resolve("ort.npy");
        CliRun j = CliRun.of("embed", "--model", "minilm", "--texts", texts.toString(), "--out", java.toString(),
                "--threads", "2", "--batch", "1");
        assertThat(j.exitCode()).as(j.err()).isZero();
        CliRun o = CliRun.of("embed", "--model", "minilm", "--texts", texts.toString(), "--out", ort.toString(),
                "--engine", "ort", "--threads", "1", "--passes", "2");
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.errLines()).filteredOn(l -> l.startsWith("tq embed:")).hasSize(2)
                .allMatch(l -> l.contains(" ort, ") && l.contains("texts/s"));
        assertThat(o.errLines().getLast()).contains("pass 2:");
        float[][] a = readNpy(java), b = readNpy(ort);
        assertThat(b).hasNumberOfRows(3);
        for (int i = 0; i < 3; i++) assertThat(cos(a[i], b[i])).as("text %d", i).isGreaterThan(0.99999);
    }

    private static float[][] readNpy(Path npy) throws Exception {
        byte[] b = Files.readAllBytes(npy);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        int rows = (b.length - 10 - headerLen) / (DIM * Float.BYTES);
        ByteBuffer data = ByteBuffer.wrap(b, 10 + headerLen, rows * DIM * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[rows][DIM];
        for (float[] row : out)
            for (int k = 0; k < DIM; k++) row[k] = data.getFloat();
        return out;
    }

    @Test
    void badInputsGiveOneLineAndAnErrorExitCode() throws Exception {
        Path texts = texts();
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, List.of("# only a comment", ""));
        String[][] cases = {
                {"embed", "--model", "minilm", "--texts", dir.resolve("missing.txt").toString()},
                {"embed", "--model", "minilm", "--texts", empty.toString()},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--batch", "0"},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--out", dir.resolve("v.txt").toString()},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--json", "--out", dir.resolve("v.npy").toString()},
                {"embed", dir.resolve("nothing.onnx").toString(), "--texts", texts.toString()},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--engine", "tflite"},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--passes", "0"},
                {"embed", "--model", "minilm", "--texts", texts.toString(), "--threads", "0"},
        };
        for (String[] args : cases) {
            CliRun run = CliRun.of(args);
            String what = String.join(" ", args);
            assertThat(run.exitCode()).as(what + "\n" + run.err()).isIn(1, 2, 3);
            assertThat(run.errLines()).as(what).hasSize(1);
            assertThat(run.out()).as(what).isEmpty();
        }
    }

    private static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
