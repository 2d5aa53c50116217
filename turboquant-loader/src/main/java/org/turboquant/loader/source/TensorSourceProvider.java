package org.turboquant.loader.source;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A reader for a model format that lives in a module of its own (found with {@link java.util.ServiceLoader}), so
 * that the loader does not pull that format's dependencies: the ONNX reader is in {@code turboquant-onnx}.
 */
public interface TensorSourceProvider {

    /** The file-name suffix this reader opens, lower case with its dot, e.g. ".onnx". */
    String suffix();

    /** Opens {@code file}. @throws org.turboquant.loader.BadInputException when it is malformed */
    TensorSource open(Path file) throws IOException;
}
