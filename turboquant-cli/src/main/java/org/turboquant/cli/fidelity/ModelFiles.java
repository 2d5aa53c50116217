package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A built-in sentence encoder ({@link EmbeddingModel}) as Maven delivers it: the ONNX model and tokenizer sit as
 * resources in a dev.langchain4j embeddings jar on the class path. They are copied once into a cache directory, one
 * per model, because ONNX Runtime and the tokenizer read files; nothing is ever fetched from a model hub.
 */
public record ModelFiles(Path model, Path tokenizer) {

    /** all-MiniLM-L6-v2's cache: $XDG_CACHE_HOME/turboquant/all-minilm-l6-v2 or ~/.cache/turboquant/all-minilm-l6-v2. */
    public static Path defaultCache() {
        return defaultCache(EmbeddingModel.MINILM);
    }

    /** A model's cache: $XDG_CACHE_HOME/turboquant/DIR or ~/.cache/turboquant/DIR, DIR as {@link EmbeddingModel#cacheDir()}. */
    public static Path defaultCache(EmbeddingModel m) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("turboquant").resolve(m.cacheDir());
    }

    /** all-MiniLM-L6-v2's files, extracted into {@code cacheDir}. */
    public static ModelFiles extractMiniLm(Path cacheDir) throws IOException {
        return extract(EmbeddingModel.MINILM, cacheDir);
    }

    /** A model's files, extracted into its default cache. */
    public static ModelFiles extract(EmbeddingModel m) throws IOException {
        return extract(m, defaultCache(m));
    }

    /** Copies the model's files from the class path into {@code cacheDir} unless they are already there. */
    public static ModelFiles extract(EmbeddingModel m, Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        return new ModelFiles(extract(m, m.modelResource(), cacheDir), extract(m, m.tokenizerResource(), cacheDir));
    }

    private static Path extract(EmbeddingModel m, String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        try (InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null)
                throw new IOException("resource " + resource + " of model " + m.cliName() + " not on the class path "
                        + "(is the " + m.artifact() + " jar in target/lib?)");
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
