package org.turboquant.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The missing-module failure is loud: a JVM started without {@code --add-modules jdk.incubator.vector} prints exactly
 * one warning line on stderr and reports scalar kernels; with the module it is silent and names the Vector API
 * kernels. Each case runs in its own JVM (the same java and classpath as this test), since the choice is per JVM.
 */
class VectorModuleWarningTest {

    private record Run(int exit, List<String> out, List<String> err) { }

    private static Run child(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelReportMain.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Run(p.exitValue(), lines(out), lines(err));
    }

    private static List<String> lines(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }

    @Test
    void withoutTheModuleOneStderrLineAndScalarKernels() throws Exception {
        Run r = child();
        assertThat(r.exit()).as("stderr: " + r.err()).isZero();
        assertThat(r.err()).containsExactly(KernelProvider.MISSING_MODULE_WARNING);
        assertThat(r.out()).hasSize(1);
        assertThat(r.out().getFirst()).startsWith("scalar").contains("jdk.incubator.vector is not enabled");
    }

    @Test
    void withTheModuleNoWarningAndTheVectorKernelsNamed() throws Exception {
        Run r = child("--add-modules", "jdk.incubator.vector", "-Dturboquant.vectorBits=256");
        assertThat(r.exit()).as("stderr: " + r.err()).isZero();
        // the JDK's own note that an incubator module is in use is the only stderr line allowed
        assertThat(r.err()).allMatch(l -> l.contains("incubator"));
        assertThat(r.err()).noneMatch(l -> l.startsWith("turboquant"));
        assertThat(r.out()).hasSize(1);
        assertThat(r.out().getFirst()).contains("Vector API").contains("256-bit vectors");
    }

    @Test
    void scalarOnRequestIsSilent() throws Exception {
        Run r = child("-Dturboquant.simd=false");
        assertThat(r.err()).isEmpty();
        assertThat(r.out().getFirst()).startsWith("scalar").contains("-Dturboquant.simd=false");
    }
}
