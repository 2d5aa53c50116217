package org.turboquant.loader.pack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedLayout;

/**
 * Turns a fractional bit rate ({@code --bits 4.25}) into per-tensor widths, from the weights alone (no
 * calibration data): the tensors sharing a rate get the widest base width b whose uniform cost fits the rate, then
 * the spare bits buy width b + 1 for allocation units, first in the matrices that multiply activations and only then
 * in look-up tables (embeddings used by a Gather): an embedding row's error reaches the model once per token, a
 * weight's through every product. {@link #allocate} gives each tensor of a class the same share of wide units;
 * {@link #rankAcrossTensors} then re-deals the matrices' wide units by each unit's share of its own tensor's energy
 * (what {@code tq pack} does: it measured better end to end, docs/RESULTS.md). Which units of a tensor are wide is
 * decided by energy when it is encoded. Costs count every stored bit: codes with padding, scales, the width map and
 * the codebooks, so the group's realised bits per weight is the largest that does not exceed the rate (to within one
 * allocation step).
 *
 * <p>A tensor that will be stored in {@code mixed_row_groups_16} (docs/FORMAT.md §19: {@link Tensor#groupable}, and a
 * wide width the 16-row table kernels multiply) takes its wide units 16 rows at a time: one width per cell (16-row
 * group × block), so its wide-unit count is always a multiple of 16 and the ranking compares its cells, by their
 * energy per unit, with other tensors' single units.
 */
public final class BitBudget {
    private BitBudget() {}

    /** The widest width a grouped cell may have: the 16-row table kernels stop at 5 bits ({@code TableDot5}). */
    public static final int GROUPED_MAX_WIDE_BITS = 5;

    /**
     * One TurboQuant tensor: its shape as a matrix, whether it is a look-up table, its requested rate, and whether
     * it may be stored grouped (rows a multiple of 16, blocks of whole 128-index chunks, and the writer grouping).
     */
    public record Tensor(String name, int rows, BlockLayout blocks, boolean lookup, double rate, boolean groupable) {
        public Tensor {
            if (groupable && (rows % CodeLayout.GROUP_ROWS != 0 || !CodeLayout.groupable(blocks)))
                throw new IllegalArgumentException(name + ": only whole 16-row groups of whole-chunk blocks are groupable");
        }

        /** The tensor as {@code tq pack} allocates it: per 16-row cell where it will be stored grouped ({@link #groupable}). */
        public static Tensor asPacked(String name, int rows, BlockLayout blocks, boolean lookup, double rate) {
            return new Tensor(name, rows, blocks, lookup, rate, BitBudget.groupable(rows, blocks));
        }

        /** A tensor allocated per (row × unit), whatever its shape. */
        public Tensor(String name, int rows, BlockLayout blocks, boolean lookup, double rate) {
            this(name, rows, blocks, lookup, rate, false);
        }

        /** Rows one width decision covers at this wide width: 16 (a cell) when the tensor is then stored grouped. */
        public int allocationRows(int wideBits) {
            return groupable && wideBits <= GROUPED_MAX_WIDE_BITS ? CodeLayout.GROUP_ROWS : 1;
        }

        public long weights() {
            return (long) rows * blocks.cols();
        }

        /** Allocation units of the matrix. */
        public long units() {
            return (long) rows * MixedLayout.unitsPerRow(blocks);
        }
    }

    /**
     * Whether a mixed tensor of this shape is stored grouped when its wide width allows ({@link Tensor} then
     * allocates it per cell): whole 16-row groups (no padding rows are stored, so the bits are those of row order)
     * of whole-chunk blocks, unless {@code -Dturboquant.pack.rowOrder=true} asks for packs older readers take.
     */
    public static boolean groupable(int rows, BlockLayout blocks) {
        return !Boolean.getBoolean(TurboQuantEncoder.ROW_ORDER) && rows % CodeLayout.GROUP_ROWS == 0
                && CodeLayout.groupable(blocks);
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

    /**
     * The wide units that {@link #allocate} gave the mixed matrices that multiply activations (not look-up tables),
     * re-dealt by ranking every unit of those tensors by Σx²(unit) / Σx²(tensor): a tensor whose energy sits in few
     * units gets more wide units, one with flat energy fewer. Applies to tensors sharing one pair of widths and one
     * unit size (every unit then costs the same); other widths are returned unchanged. As many units are taken, in
     * rank order, as the rate allows: the same-share count, plus what a tensor left uniform frees (its width map and
     * second codebook).
     *
     * @param unitEnergies a tensor's unit energies by name, in row-major unit order ({@link BitAllocation#unitEnergies})
     */
    public static Map<String, Widths> rankAcrossTensors(List<Tensor> tensors, Map<String, Widths> widths, int scaleBits,
                                                        java.util.function.Function<String, double[]> unitEnergies) {
        return rankAcrossTensors(tensors, widths, scaleBits, unitEnergies, name -> 1.0);
    }

    /**
     * As {@link #rankAcrossTensors(List, Map, int, java.util.function.Function)}, each unit's share multiplied by its
     * tensor's {@code weight} (e.g. a measured sensitivity of the output to the tensor's relative error; 1 for all
     * is the plain ranking).
     */
    public static Map<String, Widths> rankAcrossTensors(List<Tensor> tensors, Map<String, Widths> widths, int scaleBits,
                                                        java.util.function.Function<String, double[]> unitEnergies,
                                                        java.util.function.ToDoubleFunction<String> weight) {
        Map<String, Widths> out = widths;
        for (double rate : tensors.stream().map(Tensor::rate).distinct().toList()) { // each rate is its own budget
            List<Tensor> group = tensors.stream().filter(t -> t.rate() == rate).toList();
            out = rankGroup(group, out, scaleBits, unitEnergies, weight);
        }
        return out;
    }

    /** {@link #rankAcrossTensors} for the tensors of one rate. */
    private static Map<String, Widths> rankGroup(List<Tensor> group, Map<String, Widths> widths, int scaleBits,
                                                 java.util.function.Function<String, double[]> unitEnergies,
                                                 java.util.function.ToDoubleFunction<String> weight) {
        List<Tensor> mixed = group.stream().filter(t -> !t.lookup() && widths.get(t.name()).mixed()).toList();
        if (mixed.size() < 2) return widths;
        Widths first = widths.get(mixed.getFirst().name());
        int unitIndices = MixedLayout.unitIndices(mixed.getFirst().blocks());
        long total = 0, items = 0;
        for (Tensor t : mixed) {
            Widths w = widths.get(t.name());
            if (w.narrowBits() != first.narrowBits() || w.wideBits() != first.wideBits()
                    || MixedLayout.unitIndices(t.blocks()) != unitIndices) return widths;
            total += w.wideUnits();
            items += t.units() / t.allocationRows(first.wideBits());
        }
        // One item per width decision: a unit, or a cell of a grouped tensor, valued by its share of its tensor's
        // energy per unit it covers (so a cell competes with single units at the same price per unit).
        double[] share = new double[Math.toIntExact(items)];
        int[] owner = new int[share.length];
        int[] step = new int[mixed.size()];
        int at = 0;
        for (int i = 0; i < mixed.size(); i++) {
            Tensor t = mixed.get(i);
            double[] e = unitEnergies.apply(t.name());
            if (e.length != t.units())
                throw new IllegalArgumentException(t.name() + ": " + e.length + " unit energies, expected " + t.units());
            double sum = 0;
            for (double v : e) sum += v;
            double tensorWeight = weight.applyAsDouble(t.name());
            if (!(tensorWeight >= 0) || !Double.isFinite(tensorWeight))
                throw new IllegalArgumentException(t.name() + ": rank weight " + tensorWeight + " must be finite and >= 0");
            step[i] = t.allocationRows(first.wideBits());
            int perRow = MixedLayout.unitsPerRow(t.blocks());
            for (int r0 = 0; r0 < t.rows(); r0 += step[i]) {
                for (int u = 0; u < perRow; u++, at++) {
                    double cell = 0;
                    for (int r = r0; r < r0 + step[i]; r++) cell += e[r * perRow + u];
                    share[at] = sum == 0 ? 0 : tensorWeight * cell / sum / step[i];
                    owner[at] = i;
                }
            }
        }
        int[] ranked = BitAllocation.rankDescending(share);
        // The budget of the rate these tensors share, over every tensor at that rate (look-up tables included).
        double rate = mixed.getFirst().rate();
        long weights = 0;
        for (Tensor t : group) weights += t.weights();
        long budget = (long) Math.floor(rate * weights);
        // The most items, taken in rank order, whose cost fits: searched from as many units as the same-share
        // allocation had (more where a tensor left uniform frees its width map and second codebook), else below it.
        long start = 0;
        for (long units = 0; start < ranked.length && units + step[owner[ranked[(int) start]]] <= total; start++)
            units += step[owner[ranked[(int) start]]];
        long best = largestFitting(group, mixed, first, owner, step, ranked, start, ranked.length, widths, scaleBits, budget);
        if (best < 0) best = largestFitting(group, mixed, first, owner, step, ranked, 0, start - 1, widths, scaleBits, budget);
        return best < 0 ? widths : widthsFor(mixed, first, owner, step, ranked, best, widths);
    }

    /** The largest item count in [lo, hi] (binary search) whose widths cost at most {@code budget}, or -1. */
    private static long largestFitting(List<Tensor> group, List<Tensor> mixed, Widths first, int[] owner, int[] step,
                                       int[] ranked, long lo, long hi, Map<String, Widths> widths, int scaleBits,
                                       long budget) {
        long best = -1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (cost(group, widthsFor(mixed, first, owner, step, ranked, mid, widths), scaleBits) <= budget) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /** Widths when the first {@code take} items of {@code ranked} are wide (item j of tensor i: step[i] units). */
    private static Map<String, Widths> widthsFor(List<Tensor> mixed, Widths first, int[] owner, int[] step,
                                                 int[] ranked, long take, Map<String, Widths> widths) {
        long[] count = new long[mixed.size()];
        for (int j = 0; j < take; j++) count[owner[ranked[j]]] += step[owner[ranked[j]]];
        Map<String, Widths> out = new LinkedHashMap<>(widths);
        for (int i = 0; i < mixed.size(); i++) {
            Tensor t = mixed.get(i);
            out.put(t.name(), count[i] == 0 ? Widths.uniform(first.narrowBits())
                    : count[i] == t.units() ? Widths.uniform(first.wideBits())
                    : new Widths(first.narrowBits(), first.wideBits(), count[i]));
        }
        return out;
    }

    private static long cost(List<Tensor> tensors, Map<String, Widths> widths, int scaleBits) {
        long c = 0;
        for (Tensor t : tensors) c += cost(t, widths.get(t.name()), scaleBits);
        return c;
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
        for (int i = 0; i < cls.size(); i++) { // in whole allocation steps: 16 units (a cell) for a grouped tensor
            Tensor t = cls.get(i);
            wide[i] = Math.min(t.units(), wholeSteps((long) Math.floor(fraction * t.units()), t.allocationRows(base + 1)));
            available -= wide[i] * unitDelta(t, base);
        }
        for (int i = 0; i < cls.size(); i++) { // what rounding down left over, to whichever tensor can take it
            Tensor t = cls.get(i);
            long more = Math.min(t.units() - wide[i], wholeSteps(available / unitDelta(t, base), t.allocationRows(base + 1)));
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

    /** n rounded down to a multiple of step. */
    private static long wholeSteps(long n, int step) {
        return n / step * step;
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
