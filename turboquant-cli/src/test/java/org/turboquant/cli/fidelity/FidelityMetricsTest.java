package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FidelityMetricsTest {

    /** Unit vectors in the plane at the given angles (degrees). */
    private static float[][] atAngles(double... degrees) {
        float[][] e = new float[degrees.length][];
        for (int i = 0; i < degrees.length; i++) {
            double r = Math.toRadians(degrees[i]);
            e[i] = new float[] {(float) Math.cos(r), (float) Math.sin(r)};
        }
        return e;
    }

    @Test
    void cosinesAreThoseOfTheTextsOwnPairs() {
        float[][] original = atAngles(0, 90, 180);
        float[][] reconstructed = atAngles(0, 90 + 60, 180 + 30); // cosines 1, 0.5, cos 30°
        FidelityMetrics m = FidelityMetrics.of(original, reconstructed);
        assertThat(m.minCosine()).isCloseTo(0.5, within(1e-6));
        assertThat(m.meanCosine()).isCloseTo((1 + 0.5 + Math.cos(Math.toRadians(30))) / 3, within(1e-6));
    }

    @Test
    void identicalEmbeddingsScorePerfectly() {
        float[][] e = atAngles(0, 7, 19, 33, 50, 64, 80, 91, 105, 120, 133, 150, 170);
        FidelityMetrics m = FidelityMetrics.of(e, e);
        assertThat(m.meanCosine()).isCloseTo(1, within(1e-6));
        assertThat(m.minCosine()).isCloseTo(1, within(1e-6));
        assertThat(m.recallAt10()).isEqualTo(1.0);
    }

    @Test
    void recallCountsNeighboursNotPositions() {
        // Mirroring the arrangement changes every vector but keeps every neighbour relation.
        double[] angles = new double[12], mirrored = new double[12];
        for (int i = 0; i < 12; i++) {
            angles[i] = 10 * i;
            mirrored[i] = 10 * (11 - i);
        }
        FidelityMetrics m = FidelityMetrics.of(atAngles(angles), atAngles(mirrored));
        assertThat(m.recallAt10()).isEqualTo(1.0);
        assertThat(m.meanCosine()).isLessThan(0.5);
    }

    @Test
    void recallDropsWhenANeighbourMovesAway() {
        // Nearest neighbours (k = 1) before: 0→1, 1→0, 2→1, 3→2. After moving text 3 next to text 2, text 2's
        // nearest becomes 3: one miss out of four.
        float[][] original = atAngles(0, 10, 30, 60);
        float[][] reconstructed = atAngles(0, 10, 30, 35);
        assertThat(FidelityMetrics.recallAtK(original, reconstructed, 1)).isEqualTo(0.75);
    }

    @Test
    void recallAt10OnTwelveTextsMissesWhenTheFarthestChanges() {
        // With 12 texts each top-10 leaves out exactly one other text (the farthest). On an arc from 0° to 110°
        // that is text 11 for texts 0..5 and text 0 for texts 6..11. Moving text 0 to 200° makes it the farthest
        // for texts 1..5 (each now misses 0 and wrongly holds 11: one of ten lost), makes text 1 the farthest for
        // text 11 (one lost), and makes text 2 (opposite at 180°) the farthest for text 0 (one lost): 7 × 0.1.
        double[] before = new double[12], after = new double[12];
        for (int i = 0; i < 12; i++) before[i] = after[i] = 10 * i;
        after[0] = 200;
        double recall = FidelityMetrics.of(atAngles(before), atAngles(after)).recallAt10();
        assertThat(recall).isCloseTo((12 - 7 * 0.1) / 12, within(1e-12));
    }

    @Test
    void rejectsMismatchedSets() {
        assertThatThrownBy(() -> FidelityMetrics.of(atAngles(0, 1), atAngles(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
