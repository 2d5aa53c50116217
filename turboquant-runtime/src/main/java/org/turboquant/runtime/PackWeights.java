package org.turboquant.runtime;

import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.Manifest;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.pack.WeightMatrix;

/** A pack's tensors: matrices multiplied straight from their codes, 1-D tensors decoded. The pack stays open. */
public final class PackWeights implements WeightSource {
    private final TqPack pack;

    public PackWeights(TqPack pack) {
        this.pack = pack;
    }

    @Override
    public WeightMatrix linear(String name) {
        return tensor(name);
    }

    @Override
    public WeightMatrix table(String name) {
        TqTensor t = tensor(name);
        if (t.transposed()) throw bad(name, "is stored transposed, so it is not a look-up table");
        return t;
    }

    @Override
    public float[] vector(String name) {
        TqTensor t = tensor(name);
        if (t.shape().length != 1) throw bad(name, "is not 1-D (shape " + java.util.Arrays.toString(t.shape()) + ")");
        return t.dequantize();
    }

    private TqTensor tensor(String name) {
        if (!pack.names().contains(name)) throw bad(name, "the model needs it but the pack has no such tensor");
        return pack.tensor(name);
    }

    private BadInputException bad(String name, String problem) {
        return new BadInputException(pack.path().resolve(Manifest.FILE_NAME), name, problem);
    }

    @Override
    public String describe() { return "pack " + pack.path(); }
}
