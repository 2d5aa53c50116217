package org.turboquant.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.turboquant.cli.fidelity.EmbeddingModel;
import org.turboquant.cli.fidelity.ModelFiles;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.SentenceEmbedder;

/**
 * The sentence encoder tq fidelity or tq compare runs: a built-in model ({@link EmbeddingModel}), extracted from its
 * Maven jar, or an ONNX file given by path. Either way a built-in model supplies the defaults (pooling, length,
 * prefix) that options do not set: the named one, else the one whose file name the ONNX file has, else minilm.
 *
 * @param defaults whose pooling, length and prefix apply unless overridden
 * @param files    the ONNX model and its tokenizer
 * @param builtIn  whether the files are the built-in model's own
 */
record ModelChoice(EmbeddingModel defaults, ModelFiles files, boolean builtIn) {

    /**
     * @param name      a built-in model's name, or null
     * @param onnx      an ONNX file, or null for the built-in model
     * @param tokenizer a tokenizer JSON overriding the model's, or null
     * @param cache     where a built-in model is extracted, or null for its default cache
     */
    static ModelChoice resolve(String name, Path onnx, Path tokenizer, Path cache) throws IOException {
        EmbeddingModel named = name == null ? null : EmbeddingModel.byName(name);
        if (onnx == null) {
            EmbeddingModel m = named != null ? named : EmbeddingModel.MINILM;
            ModelFiles f = ModelFiles.extract(m, cache != null ? cache : ModelFiles.defaultCache(m));
            return new ModelChoice(m, tokenizer != null ? new ModelFiles(f.model(), tokenizer) : f, true);
        }
        EmbeddingModel m = named != null ? named : EmbeddingModel.ofModelFile(onnx).orElse(EmbeddingModel.MINILM);
        // The built-in model's own tokenizer file when it sits beside the ONNX file (as ModelFiles extracts it).
        Path sibling = onnx.toAbsolutePath().resolveSibling(m.tokenizerResource());
        Path tok = tokenizer != null ? tokenizer
                : Files.isRegularFile(sibling) ? sibling : FidelityCommand.tokenizerBeside(onnx);
        return new ModelChoice(m, new ModelFiles(onnx, tok), false);
    }

    /**
     * tq compare's --model: a built-in model's name, else the path of an ONNX file (the option's meaning before
     * built-in models had names).
     */
    static ModelChoice resolveNameOrPath(String nameOrPath, Path tokenizer, Path cache) throws IOException {
        if (nameOrPath == null || EmbeddingModel.find(nameOrPath).isPresent())
            return resolve(nameOrPath, null, tokenizer, cache);
        Path onnx = Path.of(nameOrPath);
        if (!Files.isRegularFile(onnx))
            throw new IllegalArgumentException("--model " + nameOrPath + ": neither a built-in model ("
                    + EmbeddingModel.names() + ") nor an ONNX file");
        return resolve(null, onnx, tokenizer, cache);
    }

    /** An embedder with the model's defaults where an option is null. */
    SentenceEmbedder embedder(String pooling, Integer maxLength, String prefix) throws IOException {
        return new SentenceEmbedder(files.model(), files.tokenizer(),
                pooling != null ? Pooling.parse(pooling) : defaults.pooling(),
                maxLength != null ? maxLength : defaults.maxLength(),
                prefix != null ? prefix : defaults.prefix());
    }

    /** One phrase for output: "bge-small-en-v1.5 (built-in bge-small)" or "model.onnx (minilm defaults)". */
    String describe() {
        return builtIn ? defaults.displayName() + " (built-in " + defaults.cliName() + ")"
                : files.model().getFileName() + " (" + defaults.cliName() + " defaults)";
    }

    /** The embedder's settings in words: "cls pooling, max 512 tokens, prefix 'query: '". */
    static String settings(SentenceEmbedder e) {
        return e.pooling().name().toLowerCase(Locale.ROOT) + " pooling, max " + e.maxLength() + " tokens"
                + (e.prefix().isEmpty() ? "" : ", prefix '" + e.prefix() + "'");
    }
}
