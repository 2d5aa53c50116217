package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: {@code tq compare} run from a checkout writes its table and chart to ./tq-compare/ (ignored by git), never
 * over the tracked docs/RESULTS.md and docs/fidelity.png. Runs the cheapest study (--fractional, two short texts) in
 * a child JVM (model cache shared with MiniLmEndToEndTest) whose working directory is a scratch git repository holding copies of those files.
 */
class CompareLeavesTreeCleanTest {
    @TempDir Path repo;

    @Test
    void compareFromARepositoryRootLeavesGitStatusClean() throws Exception {
        Assumptions.assumeTrue(run(repo, "git", "--version").exitCode == 0, "git is not installed");
        Path root = Path.of("..").toAbsolutePath().normalize(); // surefire runs in the module directory
        Files.createDirectories(repo.resolve("docs"));
        for (String f : List.of(".gitignore", "docs/RESULTS.md", "docs/fidelity.png"))
            Files.copy(root.resolve(f), repo.resolve(f));
        Path texts = Files.writeString(repo.getParent().resolve(repo.getFileName() + "-texts.txt"),
                "The cat slept on the windowsill.\nRates rose again this spring.\n", StandardCharsets.UTF_8);
        git("init", "-q");
        git("add", "-A");
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "docs");

        Result compare = run(repo, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "compare",
                "--fractional", "--texts", texts.toString(), "--max-length", "16",
                "--cache", Path.of("target", "minilm-test").toAbsolutePath().toString());

        assertThat(compare.exitCode).as(compare.output).isZero();
        assertThat(repo.resolve("tq-compare/RESULTS.md")).as("it did write its results").isNotEmptyFile();
        assertThat(repo.resolve("tq-compare/fidelity.png")).isNotEmptyFile();
        assertThat(git("status", "--porcelain").output).as("tracked files untouched, nothing new but ignored files").isEmpty();
        assertThat(git("status", "--porcelain", "--ignored").output.strip()).isEqualTo("!! tq-compare/");
    }

    private Result git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Result r = run(repo, cmd.toArray(String[]::new));
        assertThat(r.exitCode).as(r.output).isZero();
        return r;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Path cwd, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
