package org.turboquant.loader.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.turboquant.loader.BadInputException;

/**
 * Jazzer target for the safetensors header parser, run by the {@code jazzer-fuzz} Maven profile (its name keeps it
 * out of the default suite). Any exception other than {@link BadInputException} is a finding.
 */
class SafetensorsHeaderJazzerFuzz {

    @FuzzTest(maxDuration = "20s")
    void headerParserFailsOnlyWithBadInput(byte[] input) {
        try {
            SafetensorsHeader.parse(Path.of("fuzz.safetensors"), MemorySegment.ofArray(input));
        } catch (BadInputException expected) {
            // the one allowed failure
        }
    }
}
