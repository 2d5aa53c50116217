package org.turboquant.loader.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.turboquant.loader.BadInputException;

/**
 * Jazzer target for the ONNX reader, run by the {@code jazzer-fuzz} Maven profile (its name keeps it out of the
 * default suite). Any exception other than {@link BadInputException} is a finding.
 */
class OnnxReaderJazzerFuzz {

    @FuzzTest(maxDuration = "20s")
    void readerFailsOnlyWithBadInput(byte[] input) {
        try (OnnxModel m = OnnxModel.parse(Path.of("fuzz.onnx"), input)) {
            m.initializers().forEach(t -> t.data().byteSize());
        } catch (BadInputException expected) {
            // the one allowed failure
        }
    }
}
