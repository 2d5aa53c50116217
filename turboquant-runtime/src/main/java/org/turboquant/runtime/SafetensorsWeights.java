package org.turboquant.runtime;

import java.util.Arrays;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.WeightMatrix;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.ShardedCheckpoint;
import org.turboquant.loader.safetensors.TensorInfo;

/**
 * A Hugging Face checkpoint's own tensors, unquantized. Its dense weights are already [out, in] (torch's Linear
 * layout), so they become {@link FloatMatrix}es as they are; every tensor is decoded to the heap once, so the
 * checkpoint may be closed afterwards.
 */
public final class SafetensorsWeights implements WeightSource {
    private final ShardedCheckpoint checkpoint;

    public SafetensorsWeights(ShardedCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    @Override
    public WeightMatrix linear(String name) {
        return matrix(name);
    }

    @Override
    public WeightMatrix table(String name) {
        return matrix(name);
    }

    @Override
    public float[] vector(String name) {
        TensorInfo t = info(name);
        if (t.rank() != 1) throw bad(name, "is not 1-D (shape " + Arrays.toString(t.shape()) + ")");
        return floats(t);
    }

    private FloatMatrix matrix(String name) {
        TensorInfo t = info(name);
        if (t.rank() != 2) throw bad(name, "is not a 2-D matrix (shape " + Arrays.toString(t.shape()) + ")");
        return new FloatMatrix(name, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)), floats(t));
    }

    private TensorInfo info(String name) {
        TensorInfo t;
        try {
            t = checkpoint.shardOf(name).info(name);
        } catch (java.util.NoSuchElementException e) {
            throw bad(name, "the model needs it but the checkpoint has no such tensor");
        }
        if (!t.dtype().isFloat()) throw bad(name, "is " + t.dtype() + ", not a float tensor");
        return t;
    }

    private float[] floats(TensorInfo t) {
        float[] out = new float[Math.toIntExact(t.numel())];
        FloatCodec.decode(checkpoint.segment(t.name()), t.dtype(), 0, out, 0, out.length);
        return out;
    }

    private BadInputException bad(String name, String problem) {
        return new BadInputException(checkpoint.directory(), name, problem);
    }

    @Override
    public String describe() { return "checkpoint " + checkpoint.directory(); }
}
