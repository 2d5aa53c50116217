package org.turboquant.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.turboquant.cli.synth.CheckpointLayout;
import org.turboquant.cli.synth.SyntheticCheckpoint;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.pack.StagedOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** tq synth: a deterministic synthetic BF16 checkpoint for packing benchmarks (docs/BENCHMARKS.md, "Packing a 0.75 B-parameter checkpoint"). */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a deterministic synthetic BF16 .safetensors checkpoint shaped like Qwen3.5-0.8B "
                + "(hidden 1024, 24 layers, vocabulary 248,320, about 0.75 B parameters, 1.5 GB).")
final class SynthCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.safetensors") Path output;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the values (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tiny", description = "A few-megabyte model with the same kinds of tensors (for trying things).")
    boolean tiny;

    @Option(names = "--force", description = "Replace the output if it is a checkpoint tq synth wrote; anything else is refused.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar, no summary.") boolean quiet;

    @Override
    public Integer call() throws Exception {
        Path target = output.toAbsolutePath().normalize();
        ReplaceableFile.check(target, force, "tq synth",
                metadata -> SyntheticCheckpoint.GENERATOR.equals(metadata.get(SyntheticCheckpoint.GENERATOR_KEY)));
        CheckpointLayout layout = tiny ? CheckpointLayout.tiny() : CheckpointLayout.qwen35Small();
        long t0 = System.nanoTime();
        ProgressListener progress = ConsoleProgress.create("synth", quiet);
        // Staged like every tq output: a killed run's 1.5 GB temporary file is removed by the next run on the target.
        try (StagedOutput staged = StagedOutput.begin(target, progress::interrupted)) {
            progress.start(layout.parameters());
            SyntheticCheckpoint.write(Files.createFile(staged.newFile()), layout, seed,
                    Runtime.getRuntime().availableProcessors(), progress::advance);
            progress.finish();
            staged.commitFile();
        }
        if (!quiet) {
            System.out.printf(Locale.ROOT, "wrote %,d parameters in %d tensors to %s (%s) in %.1f s%n",
                    layout.parameters(), layout.tensors().size(), output, Sizes.human(Files.size(output)),
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
