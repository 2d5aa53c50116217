package org.turboquant.cli.fidelity;

import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;

/** The weights a pack decodes to, as initializer overrides for the model it was packed from. */
public final class PackOverrides {
    private PackOverrides() {}

    /**
     * Every quantized tensor of the pack, decoded to its source shape and orientation. Kept tensors are left out:
     * they decode to the very bytes the model already holds.
     */
    public static WeightOverrides of(TqPack pack) {
        WeightOverrides overrides = new WeightOverrides();
        for (String name : pack.names()) {
            TqTensor t = pack.tensor(name);
            if (t.quantized()) overrides.put(name, t.shape(), t.dequantize());
        }
        return overrides;
    }
}
