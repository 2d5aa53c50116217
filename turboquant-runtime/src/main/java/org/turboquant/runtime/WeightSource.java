package org.turboquant.runtime;

import org.turboquant.loader.pack.WeightMatrix;

/**
 * Where an encoder's tensors come from, by the names of a {@link BertLayout}: a pack ({@link PackWeights}), or the
 * original FP32 model ({@link OnnxWeights}, {@link SafetensorsWeights}). Each source knows how its matrices are
 * oriented, so a dense layer's matrix always has rows = outputs, cols = inputs.
 */
public interface WeightSource {
    /** A dense layer's weight, rows = outputs, cols = inputs. */
    WeightMatrix linear(String name);

    /** A look-up table, one row per entry. */
    WeightMatrix table(String name);

    /** A 1-D tensor (a bias, a LayerNorm scale or shift). */
    float[] vector(String name);

    /** Says where the weights come from, for messages. */
    String describe();
}
