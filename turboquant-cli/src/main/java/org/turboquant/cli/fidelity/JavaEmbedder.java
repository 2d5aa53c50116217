package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.nio.file.Path;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.runtime.BertEncoder;
import org.turboquant.runtime.OnnxBertGraph;

/**
 * Runs tokenized texts through the Java runtime ({@link BertEncoder}) in batches, as {@link SentenceEmbedder} does
 * through ONNX Runtime; the vectors come back in input order.
 */
public final class JavaEmbedder {
    /** Texts per encoder call, as {@link SentenceEmbedder} batches for ONNX Runtime. */
    public static final int BATCH = 32;

    private JavaEmbedder() {}

    /** An encoder on {@code pack}'s weights, their roles read from the graph of the ONNX model it was made from. */
    public static BertEncoder encoder(Path onnx, TqPack pack, Pooling pooling) throws IOException {
        try (OnnxModel graph = OnnxModel.open(onnx)) {
            return BertEncoder.fromPack(OnnxBertGraph.map(graph), pack, pooling(pooling));
        }
    }

    /** Vectors of every text, {@code batch} texts per call of the encoder. */
    public static float[][] embed(BertEncoder encoder, SentenceEmbedder.Tokens tokens, int batch) {
        int n = tokens.size();
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int[][] ids = new int[b][], types = new int[b][], mask = new int[b][];
            for (int k = 0; k < b; k++) {
                ids[k] = ints(tokens.ids()[start + k]);
                types[k] = ints(tokens.typeIds()[start + k]);
                mask[k] = ints(tokens.mask()[start + k]);
            }
            float[][] v = encoder.embed(ids, types, mask);
            System.arraycopy(v, 0, out, start, b);
        }
        return out;
    }

    /** The runtime's pooling for the CLI's. */
    public static org.turboquant.runtime.Pooling pooling(Pooling p) {
        return org.turboquant.runtime.Pooling.valueOf(p.name());
    }

    private static int[] ints(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.toIntExact(v[i]);
        return out;
    }
}
