package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 as Maven delivers it: the ONNX model and tokenizer sit as resources in the
 * dev.langchain4j embeddings jar on the class path. They are copied once into a cache directory, because ONNX
 * Runtime and the tokenizer read files; nothing is ever fetched from a model hub.
 */
public record ModelFiles(Path model, Path tokenizer) {
    static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    /** The default cache: $XDG_CACHE_HOME/turboquant or ~/.cache/turboquant. */
    public static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("turboquant").resolve("all-minilm-l6-v2");
    }

    /** Copies the model's files from the class path into {@code cacheDir} unless they are already there. */
    public static ModelFiles extractMiniLm(Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        return new ModelFiles(extract(MODEL_RESOURCE, cacheDir), extract(TOKENIZER_RESOURCE, cacheDir));
    }

    private static Path extract(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        try (InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null)
                throw new IOException("resource " + resource + " not on the class path (is the langchain4j "
                        + "all-minilm-l6-v2 jar in target/lib?)");
            // A same-size file counts as extracted; a partial one from an interrupted run is replaced.
            if (Files.isRegularFile(target) && Files.size(target) == resourceSize(resource)) return target;
            Path tmp = Files.createTempFile(dir, resource, ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return target;
    }

    private static long resourceSize(String resource) {
        try {
            var url = ModelFiles.class.getClassLoader().getResource(resource);
            return url == null ? -1 : url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
