package org.turboquant.runtime;

/** Child-JVM entry of {@link VectorModuleRequiredTest}: loads MiniLM's FP32 encoder and prints its dimension. */
public final class EncoderLoadMain {
    private EncoderLoadMain() {}

    public static void main(String[] args) throws Exception {
        try {
            System.out.println("loaded " + BertEncoder.fromOnnx(TestModels.onnx(TestModels.MINILM), Pooling.MEAN).dimension());
        } catch (IllegalStateException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(2);
        }
    }
}
