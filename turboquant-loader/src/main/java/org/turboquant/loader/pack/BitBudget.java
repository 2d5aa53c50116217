package org.turboquant.loader.pack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MixedLayout;

/**
 * Turns a fractional bit rate ({@code --bits 4.25}) into per-tensor widths, data-free: the tensors sharing a rate
 * get the widest base width b whose uniform cost fits the rate, then the spare bits buy width b + 1 for allocation
 * units, first in the matrices that multiply activations and only then in look-up tables (embeddings used by a
 * Gather): an embedding row's error reaches the model once per token, a weight's through every product.
 * Each tensor of a class gets the same fraction of wide units (which units is decided later, by energy, from the
 * weights). Costs count every stored bit: codes with padding, scales, the width map and the codebooks, so the
 * group's realised bits per weight is the largest that does not exceed the rate (to within one unit).
 */
public final class BitBudget {
    private BitBudget() {}

    /** One TurboQuant tensor: its shape as a matrix, whether it is a look-up table, and its requested rate. */
    public record Tensor(String name, int rows, BlockLayout blocks, boolean lookup, double rate) {
        long weights() {
            return (long) rows * blocks.cols();
        }

        long units() {
            return (long) rows * MixedLayout.unitsPerRow(blocks);
        }
    }

    /** Widths of one tensor: uniform at {@code narrowBits} when wideUnits is 0, else mixed narrow/wide. */
    public record Widths(int narrowBits, int wideBits, long wideUnits) {
        public static Widths uniform(int bits) {
            return new Widths(bits, bits, 0);
        }

        public boolean mixed() {
            return wideUnits > 0;
        }
    }

    /** Widths per tensor name. Integer rates are uniform widths; fractional ones are allocated per group. */
    public static Map<String, Widths> allocate(List<Tensor> tensors, int scaleBits) {
        Map<String, Widths> out = new LinkedHashMap<>();
        Map<Double, List<Tensor>> groups = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (t.rate() == Math.rint(t.rate())) out.put(t.name(), Widths.uniform(checkWidth((int) t.rate())));
            else groups.computeIfAbsent(t.rate(), r -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<Double, List<Tensor>> g : groups.entrySet()) out.putAll(allocateGroup(g.getValue(), g.getKey(), scaleBits));
        return out;
    }

    /** Bits a tensor stores with the given widths. */
    public static long cost(Tensor t, Widths w, int scaleBits) {
        if (!w.mixed()) return BitAllocation.uniformBits(t.rows(), t.blocks(), w.narrowBits(), scaleBits) + table(w.narrowBits());
        return BitAllocation.mixedBits(t.rows(), t.blocks(), w.narrowBits(), w.wideBits(), w.wideUnits(), scaleBits)
                + table(w.narrowBits()) + table(w.wideBits());
    }

    private static Map<String, Widths> allocateGroup(List<Tensor> group, double rate, int scaleBits) {
        long weights = 0;
        for (Tensor t : group) weights += t.weights();
        long budget = (long) Math.floor(rate * weights);
        int base = 0;
        for (int b = 8; b >= 1 && base == 0; b--) {
            if (uniformCost(group, b, scaleBits) <= budget) base = b;
        }
        if (base == 0)
            throw new IllegalArgumentException("--bits " + rate + " is below the smallest rate these tensors can take: "
                    + String.format(java.util.Locale.ROOT, "%.4f", (double) uniformCost(group, 1, scaleBits) / weights)
                    + " bits per weight (1-bit codes plus scales)");
        Map<String, Widths> out = new LinkedHashMap<>();
        for (Tensor t : group) out.put(t.name(), Widths.uniform(base));
        if (base == 8) return out;
        long spare = budget - uniformCost(group, base, scaleBits);
        for (boolean lookupClass : new boolean[] {false, true}) {
            List<Tensor> cls = group.stream().filter(t -> t.lookup() == lookupClass).toList();
            if (!cls.isEmpty()) spare = widen(cls, base, spare, scaleBits, out);
        }
        return out;
    }

    /** Spends {@code spare} bits widening units of {@code cls} from base to base + 1; returns what is left. */
    private static long widen(List<Tensor> cls, int base, long spare, int scaleBits, Map<String, Widths> out) {
        long allWide = 0, mixedNone = 0, uniform = 0, unitsCost = 0;
        for (Tensor t : cls) {
            uniform += cost(t, Widths.uniform(base), scaleBits);
            allWide += cost(t, Widths.uniform(base + 1), scaleBits);
            mixedNone += mixedCost(t, base, 0, scaleBits);
            unitsCost += t.units() * unitDelta(t, base);
        }
        if (allWide - uniform <= spare) { // the whole class fits at base + 1
            for (Tensor t : cls) out.put(t.name(), Widths.uniform(base + 1));
            return spare - (allWide - uniform);
        }
        long available = spare - (mixedNone - uniform); // the width maps and second codebooks come first
        if (available <= 0) return spare;
        double fraction = (double) available / unitsCost;
        long[] wide = new long[cls.size()];
        for (int i = 0; i < cls.size(); i++) {
            Tensor t = cls.get(i);
            wide[i] = Math.min(t.units(), (long) Math.floor(fraction * t.units()));
            available -= wide[i] * unitDelta(t, base);
        }
        for (int i = 0; i < cls.size(); i++) { // what rounding down left over, to whichever tensor can take it
            Tensor t = cls.get(i);
            long more = Math.min(t.units() - wide[i], available / unitDelta(t, base));
            wide[i] += more;
            available -= more * unitDelta(t, base);
        }
        long used = 0;
        for (int i = 0; i < cls.size(); i++) {
            Tensor t = cls.get(i);
            Widths w = wide[i] == 0 ? Widths.uniform(base)
                    : wide[i] == t.units() ? Widths.uniform(base + 1) : new Widths(base, base + 1, wide[i]);
            out.put(t.name(), w);
            used += cost(t, w, scaleBits) - cost(t, Widths.uniform(base), scaleBits);
        }
        return spare - used;
    }

    private static long mixedCost(Tensor t, int base, long wide, int scaleBits) {
        return BitAllocation.mixedBits(t.rows(), t.blocks(), base, base + 1, wide, scaleBits) + table(base) + table(base + 1);
    }

    /** Extra bits one unit costs at base + 1. */
    private static long unitDelta(Tensor t, int base) {
        int n = MixedLayout.unitIndices(t.blocks());
        return 8 * (BitPacking.packedBytes(n, base + 1) - BitPacking.packedBytes(n, base));
    }

    private static long uniformCost(List<Tensor> group, int bits, int scaleBits) {
        long c = 0;
        for (Tensor t : group) c += cost(t, Widths.uniform(bits), scaleBits);
        return c;
    }

    /** A codebook of 2^b f32 centroids. */
    private static long table(int bits) {
        return 32L << bits;
    }

    private static int checkWidth(int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
        return bits;
    }
}
