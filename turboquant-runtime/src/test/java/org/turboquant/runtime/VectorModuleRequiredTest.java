package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules jdk.incubator.vector} the runtime refuses to load a model with one message naming the
 * flag (not a NoClassDefFoundError from inside a layer); with it the same model loads. Separate JVMs, since the module
 * set is fixed at start.
 */
class VectorModuleRequiredTest {

    private record Run(int exit, String out, String err) { }

    private static Run child(String... jvmFlags) throws Exception {
        TestModels.onnx(TestModels.MINILM); // extracted here, so the child only reads it
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                EncoderLoadMain.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8).strip());
    }

    @Test
    void withoutTheModuleTheLoadIsRefusedNamingTheFlag() throws Exception {
        Run r = child();
        assertThat(r.exit()).as("stdout: %s, stderr: %s", r.out(), r.err()).isEqualTo(2);
        assertThat(r.out()).isEqualTo("refused: " + VectorApi.MISSING);
        assertThat(r.err()).doesNotContain("NoClassDefFoundError");
    }

    @Test
    void withTheModuleTheModelLoads() throws Exception {
        Run r = child("--add-modules", "jdk.incubator.vector");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).isEqualTo("loaded 384");
    }
}
