package org.turboquant.loader.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.ByteMutations;
import org.turboquant.loader.source.Usage;

/**
 * Bounded mutation fuzzing of the ONNX reader: mutants of the hand-built model either read into initializers whose
 * data match their dims, or fail with a one-line {@link BadInputException}; never another exception, never a hang.
 */
class OnnxFuzzProperties {

    private static final Path NAME = Path.of("fuzz.onnx");
    private static final List<byte[]> SEEDS = List.of(TinyModels.model(),
            TinyModels.modelWith(OnnxBytes.tensor("i", 6, OnnxBytes.dims(2), out -> {
                out.writeInt32(5, 7);
                out.writeInt32(5, -7);
            })));

    @Property(tries = 5000, seed = "2504198740", shrinking = ShrinkingMode.OFF)
    void mutantsReadConsistentlyOrFailWithBadInput(@ForAll long mutationSeed) {
        Random rnd = new Random(mutationSeed);
        byte[] mutant = ByteMutations.mutate(SEEDS.get(rnd.nextInt(SEEDS.size())), rnd);
        Statistics.collect(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> check(mutant)));
    }

    /** Returns the outcome, "accepted" or "rejected", for the statistics. */
    private static String check(byte[] mutant) {
        try (OnnxModel m = OnnxModel.parse(NAME, mutant)) {
            for (OnnxInitializer t : m.initializers()) {
                assertThat(t.data().byteSize()).isEqualTo(t.numel() * t.dtype().byteSize());
                if (t.dims().length != 2) assertThat(t.usage()).isEqualTo(Usage.OTHER);
            }
            return "accepted";
        } catch (BadInputException e) {
            assertThat(e.getMessage()).startsWith(NAME.toString()).doesNotContain("\n");
            return "rejected";
        }
    }
}
