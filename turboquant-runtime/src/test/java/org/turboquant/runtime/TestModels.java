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

    /** Token-id texts of these lengths (plus [CLS] and [SEP]) with random word-piece ids, seeded. */
    static int[][] randomTexts(long seed, int... lengths) {
        java.util.Random rnd = new java.util.Random(seed);
        int[][] texts = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            texts[i] = new int[lengths[i] + 2];
            texts[i][0] = 101; // [CLS] ... [SEP]
            for (int p = 1; p <= lengths[i]; p++) texts[i][p] = 1000 + rnd.nextInt(29000);
            texts[i][lengths[i] + 1] = 102;
        }
        return texts;
    }

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
