package org.turboquant.core;

/**
 * Quantizes one block with a super-scale and integer sub-scales (K-quant style, inside TurboQuant's rotated block):
 * the block of g is normalised and rotated as {@link BlockQuantizer} does, then cut into sub-blocks of
 * {@code subSize} rotated coordinates, and sub-block k decodes as S · (m_k + 1) / 2^subBits · c[idx]; S is one log8
 * byte per block (in units of the tensor's R, docs/FORMAT.md §5), m_k a subBits-bit integer per sub-block.
 * Decoded block: Pᵀ of those values, cut to the block's logical length.
 *
 * <p>Search (jointly over S and the m_k): each sub-block's own error-minimising scale σ_k is found exactly
 * ({@link ScaleSearch} over its coordinates, the codebook of the whole block); S is tried at the log8 grid point
 * at or above max σ_k and its two neighbours; for each S, every m_k is tried at the two integers around
 * 2^subBits·σ_k/S − 1, each with the nearest indices at the resulting scale, and the one of lower error kept;
 * the S of least total error wins. Errors are measured on the rotated coordinates, which equal the decoded
 * error of a full block (P is orthogonal); a partial block's padding coordinates count too. One instance per thread.
 */
final class SubScaledBlockQuantizer {
    private static final int SUPER_CANDIDATES = 3;

    private final Rotation rotation;
    private final int subSize;
    private final int subBits;
    private final int subLevels;
    private final float unitInverse;
    private final float[] block;
    private final float[] rotated;
    private final float[] sub;
    private final double[] wanted;
    private final byte[] trial;
    private final byte[] trialSub;
    private final ScaleSearch search;

    SubScaledBlockQuantizer(QuantConfig config, Rotation rotation, int subSize, int subBits) {
        if (config.normPrecision() != NormPrecision.LOG8)
            throw new IllegalArgumentException("sub-scales need log8 super-scales, not " + config.normPrecision().id());
        int g = rotation.dim();
        if (subSize < 1 || g % subSize != 0)
            throw new IllegalArgumentException("sub-block size " + subSize + " must divide the block size " + g);
        if (subBits < 1 || subBits > 8) throw new IllegalArgumentException("sub-scale bits must be in 1..8, got " + subBits);
        this.rotation = rotation;
        this.subSize = subSize;
        this.subBits = subBits;
        this.subLevels = 1 << subBits;
        this.unitInverse = 1f / config.scaleUnit();
        this.block = new float[g];
        this.rotated = new float[g];
        this.sub = new float[subSize];
        this.wanted = new double[g / subSize];
        this.trial = new byte[g];
        this.trialSub = new byte[g / subSize];
        this.search = new ScaleSearch(subSize);
    }

    /**
     * The factor sub-scale code m stands for: 2^(−(2^b − 1 − m)/2^b), b = subBits, a log grid of 2^b steps spanning
     * one octave below the super-scale (code 2^b − 1 is S itself). On MiniLM's matrices (4-bit codes, sub-blocks of
     * 32) this beat a linear grid (m + 1)/2^b at 2 and 3 bits and tied it at 4 (docs/RESULTS.md).
     */
    static float subScale(int code, int subBits) {
        int steps = 1 << subBits;
        return (float) Math.pow(2, -(double) (steps - 1 - (code & 0xFF)) / steps);
    }

    /** The real-valued code whose sub-scale is {@code ratio} (≤ 1 when S ≥ the wanted scale). */
    private double codeOf(double ratio) {
        return subLevels - 1 + Math.log(ratio) / Math.log(2) * subLevels;
    }

    /**
     * Quantizes {@code src[srcOff..+len)} (zero-padded to g): writes g indices at {@code indices[idxOff]} and
     * g/subSize sub-scale codes at {@code subCodes[subOff]}, returns S (a log8 grid value in units of R; 0 for an
     * all-zero block, whose indices and codes are 0).
     */
    float quantize(float[] src, int srcOff, int len, Codebook codebook, byte[] indices, int idxOff,
                   byte[] subCodes, int subOff) {
        int g = block.length, subs = g / subSize;
        double norm = BlockQuantizer.rotateUnitBlock(src, srcOff, len, unitInverse, block, rotation, rotated);
        if (norm == 0) {
            java.util.Arrays.fill(indices, idxOff, idxOff + g, (byte) 0);
            java.util.Arrays.fill(subCodes, subOff, subOff + subs, (byte) 0);
            return 0f;
        }
        double largest = 0;
        for (int k = 0; k < subs; k++) {
            System.arraycopy(rotated, k * subSize, sub, 0, subSize);
            double ratio = search.bestRatio(sub, codebook);
            wanted[k] = norm * (Double.isNaN(ratio) ? 1 : ratio);
            largest = Math.max(largest, wanted[k]);
        }
        int top = NormPrecision.log8Code((float) largest);
        if (NormPrecision.log8Scale(top) < largest && top < 255) top++;
        double bestError = Double.POSITIVE_INFINITY;
        float best = 0f;
        for (int code = top + 1; code > top + 1 - SUPER_CANDIDATES; code--) {
            if (code < 1 || code > 255) continue;
            float s = NormPrecision.log8Scale(code);
            double error = 0;
            for (int k = 0; k < subs; k++) error += bestSubScale(k, norm, s, codebook);
            if (error < bestError) {
                bestError = error;
                best = s;
                System.arraycopy(trial, 0, indices, idxOff, g);
                System.arraycopy(trialSub, 0, subCodes, subOff, subs);
            }
        }
        return best;
    }

    /**
     * For sub-block k under super-scale s: the better of the two sub-scale codes around its wanted scale, its
     * indices in {@link #trial} and code in {@link #trialSub}; returns its squared error (units of R).
     */
    private double bestSubScale(int k, double norm, float s, Codebook codebook) {
        double target = codeOf(wanted[k] / s);
        int lo = (int) Math.max(0, Math.min(subLevels - 1, Math.floor(target)));
        int hi = Math.min(subLevels - 1, lo + 1);
        float[] c = codebook.centroids();
        double bestError = Double.POSITIVE_INFINITY;
        int bestCode = lo;
        for (int m = lo; m <= hi; m++) {
            double scale = (double) s * subScale(m, subBits);
            double error = 0;
            for (int j = k * subSize; j < (k + 1) * subSize; j++) {
                double x = norm * rotated[j];
                int q = codebook.quantize(x / scale);
                double d = x - scale * c[q];
                error += d * d;
            }
            if (error < bestError) {
                bestError = error;
                bestCode = m;
            }
        }
        double scale = (double) s * subScale(bestCode, subBits);
        for (int j = k * subSize; j < (k + 1) * subSize; j++) trial[j] = (byte) codebook.quantize(norm * rotated[j] / scale);
        trialSub[k] = (byte) bestCode;
        return bestError;
    }
}
