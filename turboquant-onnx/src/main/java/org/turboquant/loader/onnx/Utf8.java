package org.turboquant.loader.onnx;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.turboquant.loader.BadInputException;

/** Strict UTF-8 decoding of protobuf string fields (malformed bytes are an error, not U+FFFD). */
final class Utf8 {

    private Utf8() { }

    static String decode(byte[] bytes, Supplier<BadInputException> onError) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw onError.get();
        }
    }
}
