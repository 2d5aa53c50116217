package org.turboquant.cli.synth;

import java.util.ArrayList;
import java.util.List;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * The tensor names and shapes of a synthetic decoder-only checkpoint shaped like Qwen3.5-0.8B: tied embeddings, and
 * a hybrid stack where every fourth layer is full (gated) attention and the others are linear attention, each with a
 * SwiGLU MLP. The real model's exact projection widths are not needed for a packing benchmark; these are chosen so
 * that the parameter count reaches 0.75 B with the published hidden size, depth and vocabulary.
 *
 * @param hidden        model width
 * @param layers        decoder layers
 * @param vocab         vocabulary size (rows of the embedding table)
 * @param intermediate  MLP width
 * @param fullEvery     every this-many-th layer (1-based) is full attention
 * @param headDim       head width of full attention
 * @param queryHeads    query heads of full attention (the q projection also carries an output gate: 2 × heads)
 * @param kvHeads       key/value heads of full attention
 * @param linearHeads   heads of linear attention
 * @param linearHeadDim head width of linear attention
 * @param convWidth     causal convolution width of linear attention
 */
public record CheckpointLayout(int hidden, int layers, int vocab, int intermediate, int fullEvery, int headDim,
                               int queryHeads, int kvHeads, int linearHeads, int linearHeadDim, int convWidth) {

    /** hidden 1024, 24 layers, vocabulary 248,320: about 0.752 B parameters, 1.5 GB in BF16. */
    public static CheckpointLayout qwen35Small() {
        return new CheckpointLayout(1024, 24, 248_320, 3584, 4, 256, 8, 2, 16, 128, 4);
    }

    /** A few-megabyte model with every kind of tensor of the full one, for tests. */
    public static CheckpointLayout tiny() {
        return new CheckpointLayout(128, 4, 1000, 256, 4, 32, 2, 1, 4, 32, 4);
    }

    /** Every tensor in file order, all BF16. */
    public List<TensorSpec> tensors() {
        List<TensorSpec> t = new ArrayList<>();
        t.add(bf16("model.embed_tokens.weight", vocab, hidden));
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            t.add(bf16(p + "input_layernorm.weight", hidden));
            if ((i + 1) % fullEvery == 0) fullAttention(t, p + "self_attn.");
            else linearAttention(t, p + "linear_attn.");
            t.add(bf16(p + "post_attention_layernorm.weight", hidden));
            t.add(bf16(p + "mlp.gate_proj.weight", intermediate, hidden));
            t.add(bf16(p + "mlp.up_proj.weight", intermediate, hidden));
            t.add(bf16(p + "mlp.down_proj.weight", hidden, intermediate));
        }
        t.add(bf16("model.norm.weight", hidden));
        return t;
    }

    private void fullAttention(List<TensorSpec> t, String p) {
        t.add(bf16(p + "q_proj.weight", 2L * queryHeads * headDim, hidden));
        t.add(bf16(p + "k_proj.weight", (long) kvHeads * headDim, hidden));
        t.add(bf16(p + "v_proj.weight", (long) kvHeads * headDim, hidden));
        t.add(bf16(p + "o_proj.weight", hidden, (long) queryHeads * headDim));
        t.add(bf16(p + "q_norm.weight", headDim));
        t.add(bf16(p + "k_norm.weight", headDim));
    }

    private void linearAttention(List<TensorSpec> t, String p) {
        long width = (long) linearHeads * linearHeadDim;
        t.add(bf16(p + "in_proj_qkv.weight", 3 * width, hidden));
        t.add(bf16(p + "in_proj_z.weight", width, hidden));
        t.add(bf16(p + "in_proj_b.weight", linearHeads, hidden));
        t.add(bf16(p + "in_proj_a.weight", linearHeads, hidden));
        t.add(bf16(p + "conv1d.weight", 3 * width, 1, convWidth));
        t.add(bf16(p + "A_log", linearHeads));
        t.add(bf16(p + "dt_bias", linearHeads));
        t.add(bf16(p + "norm.weight", linearHeadDim));
        t.add(bf16(p + "out_proj.weight", hidden, width));
    }

    /** Total parameters. */
    public long parameters() {
        long n = 0;
        for (TensorSpec s : tensors()) n += s.byteSize() / s.dtype().byteSize();
        return n;
    }

    private static TensorSpec bf16(String name, long... shape) {
        return TensorSpec.of(name, DType.BF16, shape);
    }
}
