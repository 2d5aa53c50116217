package org.turboquant.core;

/**
 * Quantizes one block: normalize, rotate, nearest level of a codebook, and the stored scale. Shared by the
 * uniform {@link RowQuantizer} and the mixed-width {@link MixedRowQuantizer}, which differ only in which
 * codebook each block gets. One instance per thread (it owns scratch buffers).
 *
 * <p>Per block x (zero-padded to g): n = ‖x‖; u = x/n; y = P·u; idx_j = nearest level of y_j. The stored scale
 * is n, or with norm correction the least-squares scale ⟨x, x̂⟩/‖x̂‖² of the unit reconstruction
 * x̂ = Pᵀ·c[idx] restricted to the block's logical columns; either is rounded to the storage precision. With
 * scale search ({@link ScaleSearch}) the block is stored with the scale and indices that minimise its decoded
 * error, kept only where that error is below the plain scale's (so the search never loses to it).
 */
final class BlockQuantizer {
    private final QuantConfig config;
    private final Rotation rotation;
    private final float[] block;
    private final float[] rotated;
    private final float[] reconstruction;
    private final ScaleSearch search;
    private final byte[] searched;
    /** 1/R: blocks are quantized in units of the config's scale unit (exactly 1 unless scales are log8). */
    private final float unitInverse;
    private final boolean coarseScales;

    BlockQuantizer(QuantConfig config, Rotation rotation) {
        this.config = config;
        this.rotation = rotation;
        int g = rotation.dim();
        this.block = new float[g];
        this.rotated = new float[g];
        this.reconstruction = new float[g];
        this.search = config.scaleSearch() ? new ScaleSearch(g) : null;
        this.searched = new byte[g];
        this.unitInverse = 1f / config.scaleUnit();
        this.coarseScales = config.normPrecision() == NormPrecision.LOG8;
    }

    /**
     * The first steps every block quantizer shares: block = src/R (zero-padded to the rotation's dimension), its norm,
     * then {@code rotated} = the rotation of block/norm. Returns the norm in units of R; 0 for an all-zero block, in
     * which case {@code rotated} is left as it was.
     */
    static double rotateUnitBlock(float[] src, int srcOff, int len, float unitInverse, float[] block,
                                  Rotation rotation, float[] rotated) {
        for (int j = 0; j < len; j++) block[j] = src[srcOff + j] * unitInverse;
        java.util.Arrays.fill(block, len, block.length, 0f);
        double sumSquares = 0;
        for (int j = 0; j < len; j++) sumSquares += (double) block[j] * block[j];
        if (sumSquares == 0) return 0;
        double norm = Math.sqrt(sumSquares);
        float inverse = (float) (1 / norm);
        for (int j = 0; j < len; j++) block[j] *= inverse;
        rotation.rotate(block, 0, rotated, 0);
        return norm;
    }

    /**
     * Quantizes {@code src[srcOff..+len)} (zero-padded to g) with {@code codebook}: writes g indices at
     * {@code indices[idxOff]} and returns the stored scale. An all-zero block gets scale 0 and index 0.
     */
    float quantize(float[] src, int srcOff, int len, Codebook codebook, byte[] indices, int idxOff, int blockNumber) {
        int g = block.length;
        // the norm, the scales and the errors below are all in units of R
        double norm = rotateUnitBlock(src, srcOff, len, unitInverse, block, rotation, rotated);
        if (norm == 0) {
            java.util.Arrays.fill(indices, idxOff, idxOff + g, (byte) 0);
            return 0f;
        }
        for (int j = 0; j < g; j++) indices[idxOff + j] = (byte) codebook.quantize(rotated[j]);
        double scale = config.normCorrection() ? correctedScale(norm, len, codebook, indices, idxOff) : norm;
        float stored = round(scale, blockNumber);
        // A log8 scale is up to 2.2% off: re-choose the nearest indices at the scale that is stored.
        if (coarseScales && stored != (float) scale) requantize(norm, stored, codebook, indices, idxOff);
        return search == null ? stored : searchedScale(src, srcOff, len, norm, stored, codebook, indices, idxOff);
    }

    /** The nearest indices of the block at the stored scale (rotated holds u = x/norm, so x/stored = u·norm/stored). */
    private void requantize(double norm, float stored, Codebook codebook, byte[] out, int off) {
        double inverse = norm / stored;
        for (int j = 0; j < block.length; j++) out[off + j] = (byte) codebook.quantize(rotated[j] * inverse);
    }

    private float round(double scale, int blockNumber) {
        float stored = config.normPrecision().round((float) scale);
        if (!Float.isFinite(stored))
            throw new IllegalArgumentException("block " + blockNumber + " scale " + scale + " overflows "
                    + config.normPrecision().id());
        return stored;
    }

    /**
     * The searched scale, rounded to the storage precision, with the nearest indices at that rounded scale, if its
     * decoded error over the logical columns is below the plain one's ({@code plain} with the indices already at
     * {@code indices[idxOff]}); else the plain scale, indices unchanged. On the coarse log8 grid both grid points
     * around the searched scale are tried (the error is not symmetric about the optimum).
     */
    private float searchedScale(float[] src, int srcOff, int len, double norm, float plain, Codebook codebook,
                                byte[] indices, int idxOff) {
        double ratio = search.bestRatio(rotated, codebook);
        if (Double.isNaN(ratio)) return plain;
        float wanted = (float) (norm * ratio);
        float nearest = config.normPrecision().round(wanted);
        float best = plain;
        double bestError = decodedError(src, srcOff, len, plain, codebook, indices, idxOff);
        for (int c = 0; c < (coarseScales ? 2 : 1); c++) {
            float candidate = c == 0 ? nearest : otherLog8Neighbour(wanted, nearest);
            if (!(candidate > 0) || !Float.isFinite(candidate) || candidate == plain) continue;
            requantize(norm, candidate, codebook, searched, 0);
            double error = decodedError(src, srcOff, len, candidate, codebook, searched, 0);
            if (error < bestError) {
                bestError = error;
                best = candidate;
                System.arraycopy(searched, 0, indices, idxOff, block.length);
            }
        }
        return best;
    }

    /** The log8 grid point on the other side of {@code wanted} from {@code nearest} (nearest itself at the grid's ends). */
    private static float otherLog8Neighbour(float wanted, float nearest) {
        int code = NormPrecision.log8Code(nearest) + (wanted > nearest ? 1 : -1);
        return NormPrecision.log8Scale(Math.max(1, Math.min(255, code)));
    }

    /** Σ (x_j − x̂_j)² over the logical columns, x̂ decoded exactly as the scalar reference decodes a block. */
    private double decodedError(float[] src, int srcOff, int len, float scale, Codebook codebook, byte[] idx, int idxOff) {
        float[] centroids = codebook.centroids();
        int g = block.length;
        for (int j = 0; j < g; j++) reconstruction[j] = centroids[idx[idxOff + j] & 0xFF];
        rotation.unrotate(reconstruction, 0, reconstruction, 0);
        double error = 0;
        for (int j = 0; j < len; j++) {
            double d = (double) (src[srcOff + j] * unitInverse) - scale * reconstruction[j];
            error += d * d;
        }
        return error;
    }

    /** ⟨x, x̂⟩/‖x̂‖² with x = norm·u (u still in {@link #block}) and x̂ the decoded unit block cut to len. */
    private double correctedScale(double norm, int len, Codebook codebook, byte[] indices, int idxOff) {
        float[] centroids = codebook.centroids();
        int g = block.length;
        for (int j = 0; j < g; j++) reconstruction[j] = centroids[indices[idxOff + j] & 0xFF];
        rotation.unrotate(reconstruction, 0, reconstruction, 0);
        double dot = 0, energy = 0;
        for (int j = 0; j < len; j++) {
            dot += (double) block[j] * reconstruction[j];
            energy += (double) reconstruction[j] * reconstruction[j];
        }
        return energy == 0 ? norm : norm * dot / energy;
    }

    /** Throws naming the column if {@code src[srcOff..+cols)} holds a NaN or infinity. */
    static void checkFinite(float[] src, int srcOff, int cols) {
        for (int j = 0; j < cols; j++) {
            if (!Float.isFinite(src[srcOff + j]))
                throw new IllegalArgumentException("non-finite value " + src[srcOff + j] + " at column " + j);
        }
    }
}
