package org.turboquant.loader.onnx;

import static org.turboquant.loader.onnx.OnnxBytes.*;

import java.util.List;

/**
 * A tiny hand-built model covering the usages the reader must tell apart:
 * <pre>
 *   Y = MatMul(X, W)            W [4,3] raw F32          MATMUL_WEIGHT
 *   Z = Add(Y, b)               b [3]   unpacked floats  OTHER
 *   emb = Gather(E, ids)        E [5,4] packed floats    GATHER_TABLE
 *   P = Gemm(X, G, transB=1)    G [3,4] raw F16          LINEAR_WEIGHT
 *   Q = MatMul(X, Transpose(T)) T [3,4] raw F32          LINEAR_WEIGHT
 *   R = Reshape(Q, s)           s [2]   int64_data       OTHER
 * </pre>
 */
final class TinyModels {

    static final float[] W = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static final float[] B = {0.5f, -0.5f, 0.25f};
    static final float[] E = new float[20];
    static final short[] G_BITS = new short[12];
    static final float[] T = {12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

    static {
        for (int i = 0; i < E.length; i++) E[i] = i / 8f;
        for (int i = 0; i < G_BITS.length; i++) G_BITS[i] = (short) (0x3C00 + 0x40 * i); // 1, 1.0625, ...
    }

    private TinyModels() { }

    static List<byte[]> nodes() {
        return List.of(
                node("MatMul", List.of("X", "W"), List.of("Y")),
                node("Add", List.of("Y", "b"), List.of("Z")),
                node("Gather", List.of("E", "ids"), List.of("emb"), intAttribute("axis", 0)),
                node("Gemm", List.of("X", "G"), List.of("P"), intAttribute("transB", 1)),
                node("Transpose", List.of("T"), List.of("Tt"), intsAttribute("perm", 1, 0)),
                node("MatMul", List.of("X", "Tt"), List.of("Q")),
                node("Reshape", List.of("Q", "s"), List.of("R")));
    }

    static List<byte[]> initializers() {
        return List.of(
                rawTensor("W", FLOAT, dims(4, 3), rawFloats(W)),
                tensor("b", FLOAT, dims(3), unpackedFloats(B)),
                tensor("E", FLOAT, dims(5, 4), packedFloats(E)),
                rawTensor("G", FLOAT16, dims(3, 4), rawHalves(G_BITS)),
                rawTensor("T", FLOAT, dims(3, 4), rawFloats(T)),
                tensor("s", INT64, dims(2), packedInt64s(-1, 3)));
    }

    static byte[] model() {
        return OnnxBytes.model(graph(nodes(), initializers()));
    }

    /** The tiny model with one more initializer appended. */
    static byte[] modelWith(byte[] extraInitializer) {
        List<byte[]> inits = new java.util.ArrayList<>(initializers());
        inits.add(extraInitializer);
        return OnnxBytes.model(graph(nodes(), inits));
    }
}
