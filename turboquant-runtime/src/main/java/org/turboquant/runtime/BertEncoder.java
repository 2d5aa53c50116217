package org.turboquant.runtime;

import java.io.IOException;
import java.nio.file.Path;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.WeightMatrix;
import org.turboquant.runtime.ForwardPhases.Phase;

/**
 * A BERT-family sentence encoder: token ids and attention masks in, L2-normalized sentence vectors out. Every matrix
 * product goes through {@link WeightMatrix} (a pack's fused kernels, or FP32); embeddings are row look-ups.
 *
 * <p>A batch is run without padding: the real tokens of all its texts are stacked into one [tokens, hidden] matrix,
 * so the dense layers see one product per batch, and attention runs per text over that text's unmasked tokens. A
 * text's trailing masked tokens are dropped first (they influence no other token and are not pooled), so a padded
 * batch and its unpadded texts give the same vectors. Thread-safe: each call has its own buffers.
 *
 * <pre>{@code
 * try (TqPack pack = TqPack.open(Path.of("minilm-tq4"));
 *      OnnxModel graph = OnnxModel.open(Path.of("all-minilm-l6-v2.onnx"))) {
 *     BertEncoder encoder = BertEncoder.fromPack(OnnxBertGraph.map(graph), pack, Pooling.MEAN);
 *     float[][] vectors = encoder.embed(ids, masks);   // int[texts][tokens] each, from the model's tokenizer
 * }
 * }</pre>
 */
public final class BertEncoder {
    private final EncoderWeights w;
    private final Pooling pooling;

    public BertEncoder(EncoderWeights weights, Pooling pooling) {
        this.w = weights;
        this.pooling = pooling;
    }

    /** The model's own FP32 weights; the ONNX file is read once and may be deleted afterwards. */
    public static BertEncoder fromOnnx(Path onnx, Pooling pooling) throws IOException {
        try (OnnxModel model = OnnxModel.open(onnx)) {
            return new BertEncoder(EncoderWeights.load(OnnxBertGraph.map(model), new OnnxWeights(model)), pooling);
        }
    }

    /** The pack's weights in the roles {@code layout} gives them; the pack must stay open while the encoder is used. */
    public static BertEncoder fromPack(BertLayout layout, TqPack pack, Pooling pooling) {
        return new BertEncoder(EncoderWeights.load(layout, new PackWeights(pack)), pooling);
    }

    /** Width of the sentence vectors. */
    public int dimension() { return w.hidden(); }

    /** Tokens per text at most (the position table's rows). */
    public int maxTokens() { return w.position().rows(); }

    public Pooling pooling() { return pooling; }

    public EncoderWeights weights() { return w; }

    /** Does every matrix's one-time work now (a server's start), so the first request runs at full speed. */
    public void warmUp() {
        w.warmUp();
        embed(new int[][] {{0, 0}}, null, new int[][] {{1, 1}});
    }

    /** Sentence vectors of texts with token type 0 throughout. */
    public float[][] embed(int[][] ids, int[][] mask) {
        return embed(ids, null, mask);
    }

    /**
     * Sentence vectors of one batch of texts, in input order.
     *
     * @param ids    per text its token ids (texts may differ in length)
     * @param types  per text its token type ids, or null for all zeros
     * @param mask   per text its attention mask (1 = a real token), or null for all ones
     */
    public float[][] embed(int[][] ids, int[][] types, int[][] mask) {
        return embed(ids, types, mask, null);
    }

    /** The same, adding the wall-clock time of each phase to {@code phases} (null: not timed). */
    public float[][] embed(int[][] ids, int[][] types, int[][] mask, ForwardPhases phases) {
        Batch batch = Batch.of(ids, types, mask, maxTokens(), w.word().rows(),
                w.tokenType() == null ? 1 : w.tokenType().rows());
        if (phases != null) phases.start();
        float[] hidden = lastHiddenState(batch, phases);
        float[][] out = new float[batch.texts()][];
        for (int i = 0; i < batch.texts(); i++)
            out[i] = pooling.pool(hidden, batch.start(i), batch.length(i), batch.mask(i), w.hidden());
        if (phases != null) phases.mark(Phase.POOLING);
        return out;
    }

    /** The final hidden states [tokens, hidden] of the batch's stacked tokens. */
    float[] lastHiddenState(Batch batch, ForwardPhases phases) {
        int tokens = batch.tokens(), hid = w.hidden();
        float[] x = new float[tokens * hid], tmp = new float[tokens * hid];
        float[] q = new float[tokens * hid], k = new float[tokens * hid], v = new float[tokens * hid],
                ctx = new float[tokens * hid], inter = new float[tokens * w.intermediate()];
        embeddings(batch, x, tmp);
        mark(phases, Phase.EMBEDDINGS);
        Attention attention = new Attention(w.heads(), w.headSize(), w.attentionScale());
        for (EncoderWeights.Block b : w.blocks()) {
            product(b.query(), x, tokens, q, false);
            product(b.key(), x, tokens, k, false);
            product(b.value(), x, tokens, v, false);
            mark(phases, Phase.QKV);
            for (int i = 0; i < batch.texts(); i++)
                attention.apply(q, k, v, ctx, batch.start(i), batch.length(i), batch.mask(i));
            mark(phases, Phase.ATTENTION);
            System.arraycopy(x, 0, tmp, 0, x.length);
            product(b.attentionOutput(), ctx, tokens, tmp, true); // tmp = x + attention output (the residual)
            mark(phases, Phase.ATTENTION_OUTPUT);
            b.attentionNorm().apply(tmp, tokens);
            mark(phases, Phase.ATTENTION_NORM);
            product(b.intermediate(), tmp, tokens, inter, false);
            mark(phases, Phase.INTERMEDIATE);
            Gelu.apply(inter, 0, inter.length);
            mark(phases, Phase.GELU);
            System.arraycopy(tmp, 0, x, 0, x.length);
            product(b.output(), inter, tokens, x, true);
            mark(phases, Phase.OUTPUT);
            b.outputNorm().apply(x, tokens);
            mark(phases, Phase.OUTPUT_NORM);
        }
        return x;
    }

    private static void mark(ForwardPhases phases, Phase phase) {
        if (phases != null) phases.mark(phase);
    }

    private static void product(EncoderWeights.Dense d, float[] in, int tokens, float[] out, boolean accumulate) {
        d.weight().matmul(in, 0, tokens, out, 0, d.bias(), accumulate);
    }

    /** x = LayerNorm(word + position + token type) for every stacked token; tmp is scratch. */
    private void embeddings(Batch batch, float[] x, float[] tmp) {
        int hid = w.hidden();
        for (int i = 0; i < batch.texts(); i++) {
            int start = batch.start(i);
            int[] ids = batch.ids(i), types = batch.types(i);
            for (int p = 0; p < batch.length(i); p++) {
                int off = (start + p) * hid;
                w.word().row(ids[p], x, off);
                w.position().row(p, tmp, 0);
                VectorOps.add(tmp, 0, x, off, hid);
                if (w.tokenType() != null) {
                    w.tokenType().row(types == null ? 0 : types[p], tmp, 0);
                    VectorOps.add(tmp, 0, x, off, hid);
                }
            }
        }
        w.embeddingNorm().apply(x, batch.tokens());
    }
}
