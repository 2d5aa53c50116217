package org.turboquant.loader.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.RotationKind;

class BitBudgetTest {

    /** all-MiniLM-L6-v2's quantized tensors: the word-embedding table and six layers of MatMul weights. */
    static List<BitBudget.Tensor> miniLm(double rate, int block) {
        List<BitBudget.Tensor> t = new ArrayList<>();
        t.add(tensor("embeddings.word_embeddings.weight", 30522, 384, true, rate, block));
        t.add(tensor("embeddings.position_embeddings.weight", 512, 384, true, rate, block));
        for (int layer = 0; layer < 6; layer++) {
            for (String m : new String[] {"query", "key", "value", "output"}) t.add(tensor(layer + m, 384, 384, false, rate, block));
            t.add(tensor(layer + "intermediate", 1536, 384, false, rate, block));
            t.add(tensor(layer + "output2", 384, 1536, false, rate, block));
        }
        return t;
    }

    static BitBudget.Tensor tensor(String name, int rows, int cols, boolean lookup, double rate, int block) {
        return new BitBudget.Tensor(name, rows, BlockLayout.of(cols, block, RotationKind.HADAMARD), lookup, rate);
    }

    static double realised(List<BitBudget.Tensor> tensors, Map<String, BitBudget.Widths> widths) {
        long bits = 0, weights = 0;
        for (BitBudget.Tensor t : tensors) {
            bits += BitBudget.cost(t, widths.get(t.name()), 16);
            weights += (long) t.rows() * t.blocks().cols();
        }
        return (double) bits / weights;
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.5, 3.25, 3.5, 4.25, 4.5, 5.3, 6.5, 7.75})
    void meetsTheRateFromBelowToWithinATenthOfAPercent(double rate) {
        List<BitBudget.Tensor> tensors = miniLm(rate, 128);
        Map<String, BitBudget.Widths> widths = BitBudget.allocate(tensors, 16);
        double got = realised(tensors, widths);
        assertThat(got).isLessThanOrEqualTo(rate).isGreaterThan(rate - 0.001);
    }

    @Test
    void spareBitsGoToTheMatricesThatMultiplyActivationsBeforeTheLookUpTables() {
        List<BitBudget.Tensor> tensors = miniLm(4.25, 128);
        Map<String, BitBudget.Widths> widths = BitBudget.allocate(tensors, 16);
        assertThat(widths.get("embeddings.word_embeddings.weight")).isEqualTo(BitBudget.Widths.uniform(4));
        BitBudget.Widths query = widths.get("0query");
        assertThat(query.narrowBits()).isEqualTo(4);
        assertThat(query.wideBits()).isEqualTo(5);
        long units = 384L * MixedLayout.unitsPerRow(BlockLayout.of(384, 128, RotationKind.HADAMARD));
        double fraction = (double) query.wideUnits() / units;
        assertThat(fraction).isBetween(0.2, 0.3); // about a quarter: half of the model is the embedding table
        // at 4.5 the matrices go fully to 5 bits and the table starts to widen
        Map<String, BitBudget.Widths> more = BitBudget.allocate(miniLm(4.8, 128), 16);
        assertThat(more.get("0query")).isEqualTo(BitBudget.Widths.uniform(5));
        assertThat(more.get("embeddings.word_embeddings.weight").mixed()).isTrue();
    }

    @Test
    void integerRatesAreUniformWidthsAndTooLowARateIsRefused() {
        Map<String, BitBudget.Widths> widths = BitBudget.allocate(miniLm(3, 128), 16);
        assertThat(widths.values()).containsOnly(BitBudget.Widths.uniform(3));
        assertThat(BitBudget.allocate(miniLm(8.5, 128), 16).values()).containsOnly(BitBudget.Widths.uniform(8));
        assertThatThrownBy(() -> BitBudget.allocate(miniLm(1.05, 128), 16))
                .hasMessageContaining("--bits 1.05 is below").hasMessageContaining("1.125");
    }

    @Test
    void blocksOf64ShareTheirWidthPerChunk() {
        List<BitBudget.Tensor> tensors = miniLm(4.25, 64);
        Map<String, BitBudget.Widths> widths = BitBudget.allocate(tensors, 16);
        assertThat(realised(tensors, widths)).isLessThanOrEqualTo(4.25).isGreaterThan(4.249);
        assertThat(widths.get("0query").narrowBits()).isEqualTo(4);
    }

    @Test
    void rankingAcrossTensorsMovesWideUnitsToTheTensorWhoseEnergyIsConcentratedAndTakesAtLeastAsMany() {
        List<BitBudget.Tensor> tensors = List.of(tensor("flat", 384, 384, false, 4.25, 128),
                tensor("peaked", 384, 384, false, 4.25, 128), tensor("table", 100, 384, true, 4.25, 128));
        Map<String, BitBudget.Widths> same = BitBudget.allocate(tensors, 16);
        int units = 384 * 3;
        double[] flat = new double[units], peaked = new double[units];
        java.util.Arrays.fill(flat, 1.0);
        for (int i = 0; i < units; i++) peaked[i] = i % 3 == 0 ? 10.0 : 0.1; // one unit per row holds the energy
        assertThat(same.get("peaked").wideUnits()).isLessThan(384); // fewer than peaked's high-energy units
        Map<String, BitBudget.Widths> ranked = BitBudget.rankAcrossTensors(tensors, same, 16,
                name -> name.equals("flat") ? flat : peaked);
        assertThat(ranked.get("peaked").wideUnits()).isGreaterThan(same.get("peaked").wideUnits());
        assertThat(ranked.get("flat").wideUnits()).isLessThan(same.get("flat").wideUnits());
        assertThat(ranked.get("peaked").wideUnits() + ranked.get("flat").wideUnits())
                .isGreaterThanOrEqualTo(same.get("peaked").wideUnits() + same.get("flat").wideUnits());
        assertThat(ranked.get("table")).isEqualTo(same.get("table"));
        assertThat(realised(tensors, ranked)).isLessThanOrEqualTo(4.25).isGreaterThan(4.249);
    }

    @Test
    void eachRateIsRankedWithinItsOwnBudget() {
        List<BitBudget.Tensor> tensors = new ArrayList<>(miniLm(4.25, 128));
        for (int i = 0; i < 6; i++) tensors.add(tensor("other" + i, 384, 384, false, 4.5, 128));
        Map<String, BitBudget.Widths> same = BitBudget.allocate(tensors, 16);
        java.util.Random random = new java.util.Random(1);
        Map<String, double[]> energies = new java.util.HashMap<>();
        Map<String, BitBudget.Widths> ranked = BitBudget.rankAcrossTensors(tensors, same, 16, name ->
                energies.computeIfAbsent(name, n -> random.doubles(tensors.stream().filter(t -> t.name().equals(n))
                        .findFirst().orElseThrow().units(), 0, 1 + Math.floorMod(n.hashCode(), 5)).toArray()));
        for (double rate : new double[] {4.25, 4.5}) {
            List<BitBudget.Tensor> group = tensors.stream().filter(t -> t.rate() == rate).toList();
            assertThat(realised(group, ranked)).as("rate %s", rate).isLessThanOrEqualTo(rate).isGreaterThan(rate - 0.001);
        }
    }

    @Test
    void rankWeightsMoveWideUnitsToTheHeavierTensorAndOneWeighingNothingGetsNone() {
        List<BitBudget.Tensor> tensors = List.of(tensor("a", 384, 384, false, 4.25, 128),
                tensor("b", 384, 384, false, 4.25, 128), tensor("table", 100, 384, true, 4.25, 128));
        Map<String, BitBudget.Widths> same = BitBudget.allocate(tensors, 16);
        java.util.Random random = new java.util.Random(3);
        double[] a = random.doubles(384 * 3, 0.5, 1.5).toArray(), b = random.doubles(384 * 3, 0.5, 1.5).toArray();
        java.util.function.Function<String, double[]> energies = name -> name.equals("a") ? a : b;
        Map<String, BitBudget.Widths> plain = BitBudget.rankAcrossTensors(tensors, same, 16, energies);
        assertThat(BitBudget.rankAcrossTensors(tensors, same, 16, energies, name -> 1.0)).isEqualTo(plain);
        Map<String, BitBudget.Widths> weighted = BitBudget.rankAcrossTensors(tensors, same, 16, energies,
                name -> name.equals("a") ? 0.0 : 3.0);
        assertThat(weighted.get("a").wideUnits()).isZero();
        assertThat(weighted.get("b").wideUnits()).isGreaterThan(plain.get("b").wideUnits());
        assertThat(realised(tensors, weighted)).isLessThanOrEqualTo(4.25).isGreaterThan(4.249);
        assertThatThrownBy(() -> BitBudget.rankAcrossTensors(tensors, same, 16, energies, name -> -1.0))
                .hasMessageContaining("rank weight -1.0");
    }
}
