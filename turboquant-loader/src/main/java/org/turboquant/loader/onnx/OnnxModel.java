package org.turboquant.loader.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The initializers of an ONNX model file, read straight from the protobuf wire format (ModelProto → graph →
 * initializer / node) without generated classes. The file is memory-mapped; {@code raw_data} is kept as zero-copy
 * slices. Each initializer's {@link org.turboquant.loader.source.Usage} is derived from the nodes that consume it.
 * Tensors with external data are rejected.
 */
public final class OnnxModel implements AutoCloseable {

    /** Maps and parses {@code file}. @throws org.turboquant.loader.BadInputException when it is not a usable model */
    public static OnnxModel open(Path file) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    public Path path() { throw new UnsupportedOperationException("not yet"); }

    /** Initializers in file order. */
    public List<OnnxInitializer> initializers() { throw new UnsupportedOperationException("not yet"); }

    @Override
    public void close() { }
}
