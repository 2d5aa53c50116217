package org.turboquant.runtime;

import java.util.List;

/**
 * Which tensor plays which role in a BERT-style encoder, by name, and the few numbers the tensors do not carry.
 * Read from an ONNX graph ({@link OnnxBertGraph}) or from a Hugging Face checkpoint's names and config.json
 * ({@link HfBertCheckpoint}); the weights themselves then come from the model or from a pack of it
 * ({@link WeightSource}).
 *
 * @param heads          attention heads (hidden / heads is the head size)
 * @param attentionScale the factor on q·k before the softmax (1/√head size in BERT)
 */
public record BertLayout(Embeddings embeddings, List<Layer> layers, int heads, double attentionScale) {

    public BertLayout {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("an encoder with no layers");
        if (heads < 1) throw new IllegalArgumentException("heads " + heads);
    }

    /** @param tokenType null when the model has no token-type table */
    public record Embeddings(String word, String position, String tokenType, Norm norm) { }

    /** LayerNorm's scale and shift, and its epsilon. */
    public record Norm(String gamma, String beta, double eps) { }

    /** A dense layer: its weight matrix and bias. */
    public record Linear(String weight, String bias) { }

    /** One transformer block (post-norm, as BERT). */
    public record Layer(Linear query, Linear key, Linear value, Linear attentionOutput, Norm attentionNorm,
                        Linear intermediate, Linear output, Norm outputNorm) { }
}
