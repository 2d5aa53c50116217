package org.turboquant.runtime;

import java.util.ArrayList;
import java.util.List;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.WeightMatrix;

/**
 * An encoder's tensors, fetched by a {@link BertLayout}'s names from a {@link WeightSource} and checked against each
 * other: every matrix has the shape its role needs (hidden from the word table, intermediate from the first block).
 */
public record EncoderWeights(WeightMatrix word, WeightMatrix position, WeightMatrix tokenType, LayerNorm embeddingNorm,
                             List<Block> blocks, int hidden, int intermediate, int heads, float attentionScale) {

    /** A dense layer: y = W·x + bias. */
    public record Dense(WeightMatrix weight, float[] bias) { }

    /** One transformer block. */
    public record Block(Dense query, Dense key, Dense value, Dense attentionOutput, LayerNorm attentionNorm,
                        Dense intermediate, Dense output, LayerNorm outputNorm) { }

    public EncoderWeights {
        blocks = List.copyOf(blocks);
    }

    public int headSize() { return hidden / heads; }

    public static EncoderWeights load(BertLayout layout, WeightSource source) {
        VectorApi.require();
        BertLayout.Embeddings e = layout.embeddings();
        WeightMatrix word = source.table(e.word());
        int hidden = word.cols();
        WeightMatrix position = table(source, e.position(), hidden);
        WeightMatrix type = e.tokenType() == null ? null : table(source, e.tokenType(), hidden);
        if (hidden % layout.heads() != 0)
            throw new BadInputException(null, e.word(), "hidden size " + hidden + " is not a multiple of " + layout.heads() + " heads");
        LayerNorm embNorm = norm(source, e.norm(), hidden);
        int intermediate = source.linear(layout.layers().getFirst().intermediate().weight()).rows();
        List<Block> blocks = new ArrayList<>();
        for (BertLayout.Layer l : layout.layers()) {
            blocks.add(new Block(dense(source, l.query(), hidden, hidden), dense(source, l.key(), hidden, hidden),
                    dense(source, l.value(), hidden, hidden), dense(source, l.attentionOutput(), hidden, hidden),
                    norm(source, l.attentionNorm(), hidden), dense(source, l.intermediate(), intermediate, hidden),
                    dense(source, l.output(), hidden, intermediate), norm(source, l.outputNorm(), hidden)));
        }
        return new EncoderWeights(word, position, type, embNorm, blocks, hidden, intermediate, layout.heads(),
                (float) layout.attentionScale());
    }

    /** Every matrix's one-time work (kernel compilation, code regrouping) done now. */
    public void warmUp() {
        word.warmUp();
        for (Block b : blocks)
            for (Dense d : List.of(b.query, b.key, b.value, b.attentionOutput, b.intermediate, b.output)) d.weight.warmUp();
    }

    private static WeightMatrix table(WeightSource s, String name, int hidden) {
        WeightMatrix t = s.table(name);
        if (t.cols() != hidden) throw bad(s, name, "has rows of " + t.cols() + ", the word table's are " + hidden);
        return t;
    }

    private static Dense dense(WeightSource s, BertLayout.Linear l, int out, int in) {
        WeightMatrix w = s.linear(l.weight());
        if (w.rows() != out || w.cols() != in)
            throw bad(s, l.weight(), "is " + w.rows() + " × " + w.cols() + " (outputs × inputs), its role needs " + out + " × " + in);
        float[] bias = s.vector(l.bias());
        if (bias.length != out) throw bad(s, l.bias(), "has " + bias.length + " elements, expected " + out);
        return new Dense(w, bias);
    }

    private static LayerNorm norm(WeightSource s, BertLayout.Norm n, int hidden) {
        float[] g = s.vector(n.gamma()), b = s.vector(n.beta());
        if (g.length != hidden) throw bad(s, n.gamma(), "has " + g.length + " elements, expected " + hidden);
        if (b.length != hidden) throw bad(s, n.beta(), "has " + b.length + " elements, expected " + hidden);
        return new LayerNorm(g, b, (float) n.eps());
    }

    private static BadInputException bad(WeightSource s, String tensor, String problem) {
        return new BadInputException(null, tensor, s.describe() + ": " + problem);
    }
}
