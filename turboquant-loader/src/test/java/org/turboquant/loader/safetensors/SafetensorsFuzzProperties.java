package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.turboquant.loader.BadInputException;

/**
 * Bounded mutation fuzzing of the safetensors header parser (Jazzer cannot instrument Java 25 class files, so its
 * coverage guidance is unavailable here): a fixed number of mutants of valid files, each of which must either parse
 * into a header whose invariants hold or fail with a one-line {@link BadInputException}: never another exception,
 * never a hang.
 */
class SafetensorsFuzzProperties {

    private static final Path NAME = Path.of("fuzz.safetensors");
    private static List<byte[]> seeds;

    @BeforeContainer
    static void seeds() throws IOException {
        Path tmp = Files.createTempFile("seed", ".safetensors");
        try {
            SafetensorsBytes.writeCounting(tmp, List.of(TensorSpec.of("embed.weight", DType.BF16, 3, 2),
                    TensorSpec.of("w", DType.F32, 2, 2), TensorSpec.of("n", DType.I64), TensorSpec.of("e", DType.U8, 0)),
                    Map.of("format", "pt"));
            byte[] written = Files.readAllBytes(tmp);
            byte[] pretty = SafetensorsBytes.file(("{\n  \"a\": {\"dtype\": \"F16\", \"shape\": [2, 2],"
                    + " \"data_offsets\": [0, 8]},\n  \"b\": {\"dtype\": \"I8\", \"shape\": [3], \"data_offsets\": [8, 11]}"
                    + "\n}").getBytes(StandardCharsets.UTF_8), new byte[11]);
            seeds = List.of(written, pretty, SafetensorsBytes.file("{}", 0));
        } finally {
            Files.delete(tmp);
        }
    }

    @Property(tries = 5000, seed = "424242", shrinking = ShrinkingMode.OFF)
    void mutantsParseConsistentlyOrFailWithBadInput(@ForAll long mutationSeed) {
        Random rnd = new Random(mutationSeed);
        byte[] mutant = ByteMutations.mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
        Statistics.collect(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> check(mutant)));
    }

    /** Returns the outcome, "accepted" or "rejected", for the statistics. */
    private static String check(byte[] mutant) {
        SafetensorsHeader header;
        try {
            header = SafetensorsHeader.parse(NAME, MemorySegment.ofArray(mutant));
        } catch (BadInputException e) {
            assertThat(e.getMessage()).startsWith(NAME.toString()).doesNotContain("\n");
            return "rejected";
        }
        long dataSize = mutant.length - header.dataStart();
        long previousEnd = 0;
        for (TensorInfo t : header.tensors()) {
            assertThat(t.begin()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(t.end()).isLessThanOrEqualTo(dataSize);
            assertThat(t.byteSize()).isEqualTo(t.numel() * t.dtype().byteSize());
            previousEnd = t.end();
        }
        return "accepted";
    }

}
