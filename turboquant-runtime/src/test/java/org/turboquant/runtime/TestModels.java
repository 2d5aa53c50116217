package org.turboquant.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The built-in encoders' ONNX files (resources of the langchain4j test jars), copied once under target/. */
final class TestModels {
    static final String MINILM = "all-minilm-l6-v2.onnx", BGE = "bge-small-en-v1.5.onnx", E5 = "e5-small-v2.onnx";

    private TestModels() {}

    static Path onnx(String resource) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "test-models"));
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target)) return target;
        try (InputStream in = TestModels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException(resource + " not on the test class path");
            Path tmp = Files.createTempFile(dir, resource, ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
