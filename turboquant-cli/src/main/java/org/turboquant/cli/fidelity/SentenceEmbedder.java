package org.turboquant.cli.fidelity;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A BERT-style sentence encoder run in ONNX Runtime: tokenizes, runs the model in length-sorted batches, pools and
 * L2-normalizes. The same tokenization serves every weight set, so differences between runs come from the weights.
 * The model takes input_ids and attention_mask, and token_type_ids when its graph has that input (all zeros for
 * single texts; some exports drop it); its sentence vectors are pooled from last_hidden_state (or, when no output
 * has that name, its first output), [batch, sequence, width].
 */
public final class SentenceEmbedder implements AutoCloseable {
    static {
        // The tokenizer's native library is bundled in its jar; never let DJL look for one on the network.
        System.setProperty("ai.djl.offline", "true");
        // DJL logs through SLF4J, which warns on every run when no backend is bound; tq has nothing to log there.
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
    }

    private static final int BATCH = 32;

    private final Path model;
    private final HuggingFaceTokenizer tokenizer;
    private final Pooling pooling;
    /** Word pieces per text unless told otherwise: the sequence length all-MiniLM-L6-v2 was tuned with. */
    public static final int DEFAULT_MAX_LENGTH = 256;
    /** The inputs a BERT-style encoder may take; input_ids is required. */
    static final Set<String> KNOWN_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");
    static final String HIDDEN_STATE = "last_hidden_state";

    private final int maxLength;
    private final String prefix;

    public SentenceEmbedder(Path model, Path tokenizerJson, Pooling pooling, int maxLength) throws IOException {
        this(model, tokenizerJson, pooling, maxLength, "");
    }

    /**
     * @param prefix prepended to every text before tokenizing (E5's "query: "); "" for none
     */
    public SentenceEmbedder(Path model, Path tokenizerJson, Pooling pooling, int maxLength, String prefix)
            throws IOException {
        if (maxLength < 2) throw new IllegalArgumentException("max length " + maxLength + " leaves no room for a word piece");
        this.model = model;
        this.pooling = pooling;
        this.maxLength = maxLength;
        this.prefix = prefix == null ? "" : prefix;
        this.tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson).optTruncation(true)
                .optPadding(false).optMaxLength(maxLength).build();
    }

    /** Token ids and masks of the texts, computed once and reused for every weight set. */
    public record Tokens(long[][] ids, long[][] typeIds, long[][] mask) {
        public int size() { return ids.length; }
    }

    public Tokens tokenize(List<String> texts) {
        int n = texts.size();
        long[][] ids = new long[n][], types = new long[n][], mask = new long[n][];
        for (int i = 0; i < n; i++) {
            Encoding e = tokenizer.encode(prefix + texts.get(i));
            ids[i] = e.getIds();
            types[i] = e.getTypeIds();
            mask[i] = e.getAttentionMask();
        }
        return new Tokens(ids, types, mask);
    }

    /** Embeddings with the model's own weights. */
    public float[][] embed(Tokens tokens) throws OrtException {
        return embed(tokens, WeightOverrides.none());
    }

    /** Embeddings with some initializers replaced; one row per text, in input order. */
    public float[][] embed(Tokens tokens, WeightOverrides overrides) throws OrtException {
        try (Session session = open(overrides, Runtime.getRuntime().availableProcessors())) {
            return session.embed(tokens, BATCH);
        }
    }

    /**
     * An ONNX Runtime session on the model, some initializers replaced, for several runs: opening it (reading the
     * model, optimizing the graph) is loading work a timed run should not include.
     *
     * @param intraOpThreads ONNX Runtime's threads within one operator
     */
    public Session open(WeightOverrides overrides, int intraOpThreads) throws OrtException {
        if (intraOpThreads < 1) throw new IllegalArgumentException("threads " + intraOpThreads + ": must be at least 1");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> owned = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            for (var e : overrides.tensors().entrySet()) {
                // ORT keeps a pointer to the buffer, so it must be direct and outlive the session.
                float[] data = e.getValue().data();
                FloatBuffer buf = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder())
                        .asFloatBuffer().put(data).flip();
                OnnxTensor t = OnnxTensor.createTensor(env, buf, e.getValue().shape());
                owned.add(t);
                options.addInitializer(e.getKey(), t);
            }
            return new Session(env, env.createSession(model.toString(), options), owned);
        } catch (OrtException | RuntimeException e) {
            owned.forEach(OnnxTensor::close);
            throw e;
        }
    }

    /** An open ONNX Runtime session of this embedder; closing it frees the session and the override buffers. */
    public final class Session implements AutoCloseable {
        private final OrtEnvironment env;
        private final OrtSession session;
        private final List<OnnxTensor> owned;

        private Session(OrtEnvironment env, OrtSession session, List<OnnxTensor> owned) {
            this.env = env;
            this.session = session;
            this.owned = owned;
        }

        /** Vectors of every text, in input order, {@code batch} texts of similar length per run of the model. */
        public float[][] embed(Tokens tokens, int batch) throws OrtException {
            if (batch < 1) throw new IllegalArgumentException("batch " + batch + ": must be at least 1");
            return run(env, session, tokens, batch);
        }

        @Override
        public void close() throws OrtException {
            try {
                session.close();
            } finally {
                owned.forEach(OnnxTensor::close);
            }
        }
    }

    private float[][] run(OrtEnvironment env, OrtSession session, Tokens tokens, int batch) throws OrtException {
        int n = tokens.size();
        float[][] out = new float[n][];
        // Batches of similar length waste little on padding.
        int[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> tokens.ids()[i].length)).mapToInt(i -> i).toArray();
        var inputNames = session.getInputNames();
        for (String name : inputNames)
            if (!KNOWN_INPUTS.contains(name))
                throw new IllegalArgumentException(model + ": input '" + name + "' is not one a BERT-style encoder "
                        + "takes (" + KNOWN_INPUTS + ")");
        if (!inputNames.contains("input_ids"))
            throw new IllegalArgumentException(model + ": no input_ids input (inputs: " + inputNames + ")");
        String output = session.getOutputNames().contains(HIDDEN_STATE) ? HIDDEN_STATE
                : session.getOutputNames().iterator().next();
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int seq = 0;
            for (int k = 0; k < b; k++) seq = Math.max(seq, tokens.ids()[order[start + k]].length);
            long[] ids = new long[b * seq], types = new long[b * seq], mask = new long[b * seq];
            for (int k = 0; k < b; k++) {
                int i = order[start + k];
                System.arraycopy(tokens.ids()[i], 0, ids, k * seq, tokens.ids()[i].length);
                System.arraycopy(tokens.typeIds()[i], 0, types, k * seq, tokens.typeIds()[i].length);
                System.arraycopy(tokens.mask()[i], 0, mask, k * seq, tokens.mask()[i].length);
            }
            long[] shape = {b, seq};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                if (inputNames.contains("input_ids")) inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                if (inputNames.contains("attention_mask")) inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                if (inputNames.contains("token_type_ids")) inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxTensor hidden = (OnnxTensor) result.get(output).orElseThrow();
                    long[] hs = hidden.getInfo().getShape();
                    if (hs.length != 3)
                        throw new IllegalArgumentException(model + ": output '" + output + "' has shape "
                                + java.util.Arrays.toString(hs) + ", not [batch, sequence, width]");
                    FloatBuffer fb = hidden.getFloatBuffer();
                    float[] h = new float[fb.remaining()];
                    fb.get(h);
                    float[][] pooled = pooling.pool(h, mask, b, seq, (int) hs[2]);
                    for (int k = 0; k < b; k++) out[order[start + k]] = pooled[k];
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
        return out;
    }

    public int maxLength() { return maxLength; }

    public Pooling pooling() { return pooling; }

    public String prefix() { return prefix; }

    @Override
    public void close() {
        tokenizer.close();
    }
}
