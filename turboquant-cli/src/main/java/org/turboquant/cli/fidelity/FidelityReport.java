package org.turboquant.cli.fidelity;

import java.util.Locale;

/**
 * What {@code tq fidelity} reports: output fidelity of a pack on a text corpus, its size, and how fast each side ran.
 *
 * @param bitsPerWeight          stored bits per quantized weight, norms and scales included
 * @param packBytes              bytes of the pack directory's files
 * @param modelBytes             bytes of the original model file
 * @param engine                 what ran the packed model: "ort" (dequantized weights in ONNX Runtime) or "java" (the
 *                               runtime on the packed codes); the original always runs in ONNX Runtime
 * @param originalTextsPerSecond texts embedded per wall-clock second with the original weights (NaN if not timed)
 * @param packedTextsPerSecond   the same with the pack's weights
 */
public record FidelityReport(FidelityMetrics metrics, double bitsPerWeight, long packBytes, long modelBytes,
                             String engine, double originalTextsPerSecond, double packedTextsPerSecond) {

    /** A report of the ONNX Runtime engine, untimed. */
    public FidelityReport(FidelityMetrics metrics, double bitsPerWeight, long packBytes, long modelBytes) {
        this(metrics, bitsPerWeight, packBytes, modelBytes, "ort", Double.NaN, Double.NaN);
    }

    /** Exactly one JSON object, keys in a fixed order. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"mean_cosine\": %s, \"min_cosine\": %s, \"recall_at_10\": %s, \"bits_per_weight\": %s, "
                        + "\"pack_bytes\": %d, \"model_bytes\": %d, \"engine\": \"%s\", "
                        + "\"texts_per_second\": {\"original\": %s, \"packed\": %s}}",
                number(metrics.meanCosine()), number(metrics.minCosine()), number(metrics.recallAt10()),
                number(bitsPerWeight), packBytes, modelBytes, engine, number(originalTextsPerSecond),
                number(packedTextsPerSecond));
    }

    /** JSON has no NaN or infinity; an undefined figure becomes null. */
    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
