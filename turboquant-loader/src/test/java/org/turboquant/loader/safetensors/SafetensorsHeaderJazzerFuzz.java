package org.turboquant.loader.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.turboquant.loader.BadInputException;

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
