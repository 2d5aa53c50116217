package org.turboquant.runtime;

import java.io.IOException;
import java.nio.file.Path;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.WeightMatrix;
import org.turboquant.runtime.ForwardPhases.Phase;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.Team;

/**
 * A BERT-family sentence encoder: token ids and attention masks in, L2-normalized sentence vectors out. Every matrix
 * product goes through {@link WeightMatrix} (a pack's fused kernels, or FP32); embeddings are row look-ups.
 *
 * <p>A batch is run without padding: the real tokens of all its texts are stacked into one [tokens, hidden] matrix,
 * so the dense layers see one product per batch, and attention runs per text over that text's unmasked tokens. A
 * text's trailing masked tokens are dropped first (they influence no other token and are not pooled), so a padded
 * batch and its unpadded texts give the same vectors. With {@code -Dturboquant.encoderTeam=true}, each forward on a
 * pack runs as a team of the pack's pool threads ({@link ParallelMatmul#runAsTeam}): every step split over them, meeting at a barrier, instead of a hand-off
 * to the pool per product. Thread-safe: each call has its own buffers (concurrent calls on a pool busy with another
 * call's team run on their caller alone).
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
    /**
     * On with {@code -Dturboquant.encoderTeam=true}: each forward on a pack runs as a team of the pool's threads. Off by
     * default: on a quiet machine it measured +7–13 % at batch 1, but with other jobs on the cores its spin barriers
     * wait for descheduled members (73 texts/s against ~290 at load 4; docs/BENCHMARKS.md, "Embed race").
     */
    private static final boolean TEAM = Boolean.parseBoolean(System.getProperty("turboquant.encoderTeam", "false"));

    private final EncoderWeights w;
    private final Pooling pooling;
    /** The pool every matrix of w multiplies on, whose threads run each forward as a team; null: none. */
    private final ParallelMatmul team;

    public BertEncoder(EncoderWeights weights, Pooling pooling) {
        this(weights, pooling, null);
    }

    /**
     * An encoder whose forwards run as a team of {@code pool}'s threads ({@link ParallelMatmul#runAsTeam}): every
     * step split over them, no hand-off per product. Every matrix of {@code weights} must multiply on {@code pool}
     * (a pack's matrices and {@link TqPack#pool()}); null for none (products then split on their own).
     */
    BertEncoder(EncoderWeights weights, Pooling pooling, ParallelMatmul pool) {
        this.w = weights;
        this.pooling = pooling;
        this.team = TEAM ? pool : null;
    }

    /** The model's own FP32 weights; the ONNX file is read once and may be deleted afterwards. */
    public static BertEncoder fromOnnx(Path onnx, Pooling pooling) throws IOException {
        try (OnnxModel model = OnnxModel.open(onnx)) {
            return new BertEncoder(EncoderWeights.load(OnnxBertGraph.map(model), new OnnxWeights(model)), pooling);
        }
    }

    /** The pack's weights in the roles {@code layout} gives them; the pack must stay open while the encoder is used. */
    public static BertEncoder fromPack(BertLayout layout, TqPack pack, Pooling pooling) {
        return new BertEncoder(EncoderWeights.load(layout, new PackWeights(pack)), pooling, pack.pool());
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
        Buffers buf = new Buffers(batch.tokens(), w.hidden(), w.intermediate());
        if (team == null) forward(Team.SOLO, batch, buf, phases);
        else team.runAsTeam(t -> forward(t, batch, buf, t.index() == 0 ? phases : null));
        return buf.x;
    }

    /** A forward's activations, [tokens, width] each, shared by the members of its team. */
    private record Buffers(float[] x, float[] tmp, float[] q, float[] k, float[] v, float[] ctx, float[] inter) {
        Buffers(int tokens, int hidden, int intermediate) {
            this(new float[tokens * hidden], new float[tokens * hidden], new float[tokens * hidden],
                    new float[tokens * hidden], new float[tokens * hidden], new float[tokens * hidden],
                    new float[tokens * intermediate]);
        }
    }

    /**
     * The forward as one member of {@code team} runs it: the products split their rows over the team (and end at a
     * barrier); embeddings, LayerNorm, residuals and GELU take this member's tokens, attention its (text, head)
     * pairs, each step ending at a barrier. The residual is added to the dense output (bias included) in the
     * LayerNorm step, (W·x + b) + residual, which is the order {@link FloatMatrix} accumulates in.
     */
    private void forward(Team team, Batch batch, Buffers buf, ForwardPhases phases) {
        int tokens = batch.tokens(), hid = w.hidden(), inner = w.intermediate();
        int t0 = team.start(tokens, 1), t1 = team.end(tokens, 1);
        float[] x = buf.x, tmp = buf.tmp, ctx = buf.ctx, inter = buf.inter;
        embeddings(batch, x, t0, t1);
        team.barrier();
        mark(phases, Phase.EMBEDDINGS);
        Attention attention = new Attention(w.heads(), w.headSize(), w.attentionScale());
        int pairs = batch.texts() * w.heads(), p0 = team.start(pairs, 1), p1 = team.end(pairs, 1);
        for (EncoderWeights.Block b : w.blocks()) {
            product(b.query(), x, tokens, buf.q);
            product(b.key(), x, tokens, buf.k);
            product(b.value(), x, tokens, buf.v);
            mark(phases, Phase.QKV);
            for (int p = p0; p < p1; p++) {
                int text = p / w.heads(), head = p % w.heads();
                attention.apply(buf.q, buf.k, buf.v, ctx, batch.start(text), batch.length(text), batch.mask(text),
                        head, head + 1);
            }
            team.barrier();
            mark(phases, Phase.ATTENTION);
            product(b.attentionOutput(), ctx, tokens, tmp);
            mark(phases, Phase.ATTENTION_OUTPUT);
            residualNorm(b.attentionNorm(), tmp, x, t0, t1); // tmp = LayerNorm(attention output + x)
            team.barrier();
            mark(phases, Phase.ATTENTION_NORM);
            product(b.intermediate(), tmp, tokens, inter);
            mark(phases, Phase.INTERMEDIATE);
            Gelu.apply(inter, t0 * inner, (t1 - t0) * inner);
            team.barrier();
            mark(phases, Phase.GELU);
            product(b.output(), inter, tokens, x);
            mark(phases, Phase.OUTPUT);
            residualNorm(b.outputNorm(), x, tmp, t0, t1); // x = LayerNorm(output + tmp)
            team.barrier();
            mark(phases, Phase.OUTPUT_NORM);
        }
    }

    /** y = LayerNorm(y + residual) on the rows t0 .. t1. */
    private void residualNorm(LayerNorm norm, float[] y, float[] residual, int t0, int t1) {
        int hid = w.hidden();
        for (int t = t0; t < t1; t++) {
            VectorOps.add(residual, t * hid, y, t * hid, hid);
            norm.applyRow(y, t * hid);
        }
    }

    private static void mark(ForwardPhases phases, Phase phase) {
        if (phases != null) phases.mark(phase);
    }

    private static void product(EncoderWeights.Dense d, float[] in, int tokens, float[] out) {
        d.weight().matmul(in, 0, tokens, out, 0, d.bias(), false);
    }

    /** x = LayerNorm(word + position + token type) for the stacked tokens t0 .. t1. */
    private void embeddings(Batch batch, float[] x, int t0, int t1) {
        int hid = w.hidden();
        float[] row = new float[hid];
        for (int i = 0; i < batch.texts(); i++) {
            int start = batch.start(i);
            int[] ids = batch.ids(i), types = batch.types(i);
            for (int p = Math.max(0, t0 - start); p < batch.length(i) && start + p < t1; p++) {
                int off = (start + p) * hid;
                w.word().row(ids[p], x, off);
                w.position().row(p, row, 0);
                VectorOps.add(row, 0, x, off, hid);
                if (w.tokenType() != null) {
                    w.tokenType().row(types == null ? 0 : types[p], row, 0);
                    VectorOps.add(row, 0, x, off, hid);
                }
                w.embeddingNorm().applyRow(x, off);
            }
        }
    }
}
