package org.turboquant.cli.fidelity;

import java.util.Locale;

/**
 * What {@code tq fidelity} reports: output fidelity of a pack on a text corpus, and its size.
 *
 * @param bitsPerWeight stored bits per quantized weight, norms and scales included
 * @param packBytes     bytes of the pack directory's files
 * @param modelBytes    bytes of the original model file
 */
public record FidelityReport(FidelityMetrics metrics, double bitsPerWeight, long packBytes, long modelBytes) {

    /** Exactly one JSON object, keys in a fixed order. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"mean_cosine\": %s, \"min_cosine\": %s, \"recall_at_10\": %s, \"bits_per_weight\": %s, "
                        + "\"pack_bytes\": %d, \"model_bytes\": %d}",
                number(metrics.meanCosine()), number(metrics.minCosine()), number(metrics.recallAt10()),
                number(bitsPerWeight), packBytes, modelBytes);
    }

    /** JSON has no NaN or infinity; an undefined figure becomes null. */
    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
