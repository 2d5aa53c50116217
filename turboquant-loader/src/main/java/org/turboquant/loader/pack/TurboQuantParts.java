package org.turboquant.loader.pack;

import org.turboquant.core.BlockLayout;
import org.turboquant.core.Rotation;
import org.turboquant.core.RotationKind;
import org.turboquant.loader.safetensors.DType;

/**
 * The fields and parts uniform and mixed-width TurboQuant tensors share, read and checked: block layout, rotation
 * (kind and seed), the narrow width's codebook and the block scales.
 */
record TurboQuantParts(int rows, BlockLayout layout, RotationKind kind, long seed, int bits, float[] centroids,
                       float[] scales) {

    static TurboQuantParts read(PartReader r) {
        Manifest.TensorEntry entry = r.entry();
        int rows = entry.rows(), cols = entry.cols();
        RotationKind kind = RotationKind.parse(r.require(entry.rotation(), "rotation"));
        BlockLayout layout = BlockLayout.of(cols, r.require(entry.blockSize(), "block_size"), kind);
        if (layout.blockSize() != entry.blockSize())
            throw r.bad("block_size " + entry.blockSize() + " is not valid for " + cols + " columns and " + kind.id());
        int bits = r.require(entry.bits(), "bits");
        if (bits < 1 || bits > 8) throw r.bad("bits " + bits + " not in 1..8");
        long seed = Long.parseUnsignedLong(r.require(entry.seed(), "seed"), 16);
        int nb = layout.blocksPerRow();
        float[] scales = switch (r.require(entry.normDtype(), "norm_dtype")) {
            // bytes in units of R; R is in the centroids (docs/FORMAT.md)
            case "log8" -> PartBytes.log8Scales(r.part("scales", DType.U8, rows, nb));
            case "f16" -> PartBytes.toFloats(r.part("scales", DType.F16, rows, nb), DType.F16);
            case "f32" -> PartBytes.toFloats(r.part("scales", DType.F32, rows, nb), DType.F32);
            default -> throw r.bad("norm_dtype '" + entry.normDtype() + "' is not one of f16, f32, log8");
        };
        float[] centroids = PartBytes.toFloats(r.part("centroids", DType.F32, 1L << bits), DType.F32);
        return new TurboQuantParts(rows, layout, kind, seed, bits, centroids, scales);
    }

    /** Regenerated from kind, block size and seed: O(g³) for QR, hence only when the matrix is first used. */
    Rotation rotation() {
        return Rotation.of(kind, layout.blockSize(), seed);
    }
}
