package org.turboquant.runtime;

import org.turboquant.loader.BadInputException;
import org.turboquant.loader.onnx.OnnxInitializer;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.WeightMatrix;
import org.turboquant.loader.safetensors.FloatCodec;

/**
 * An ONNX model's own initializers, unquantized: MatMul weights (stored [in, out]) transposed into
 * {@link FloatMatrix}es once, tables and vectors decoded. Copies to the heap, so the model may be closed afterwards.
 */
public final class OnnxWeights implements WeightSource {
    private final OnnxModel model;

    public OnnxWeights(OnnxModel model) {
        this.model = model;
    }

    @Override
    public WeightMatrix linear(String name) {
        OnnxInitializer t = matrix(name);
        long[] d = t.dims();
        return FloatMatrix.ofTransposed(name, (int) d[0], (int) d[1], floats(t));
    }

    @Override
    public WeightMatrix table(String name) {
        OnnxInitializer t = matrix(name);
        long[] d = t.dims();
        return new FloatMatrix(name, (int) d[0], (int) d[1], floats(t));
    }

    @Override
    public float[] vector(String name) {
        OnnxInitializer t = initializer(name);
        if (t.dims().length != 1) throw bad(name, "is not 1-D");
        return floats(t);
    }

    private OnnxInitializer matrix(String name) {
        OnnxInitializer t = initializer(name);
        if (t.dims().length != 2) throw bad(name, "is not a 2-D matrix");
        return t;
    }

    private OnnxInitializer initializer(String name) {
        try {
            OnnxInitializer t = model.initializer(name);
            if (!t.dtype().isFloat()) throw bad(name, "is " + t.dtype().id() + ", not a float tensor");
            return t;
        } catch (java.util.NoSuchElementException e) {
            throw bad(name, "no such initializer");
        }
    }

    private static float[] floats(OnnxInitializer t) {
        float[] out = new float[Math.toIntExact(t.numel())];
        FloatCodec.decode(t.data(), t.dtype(), 0, out, 0, out.length);
        return out;
    }

    private BadInputException bad(String name, String problem) {
        return new BadInputException(model.path(), name, problem);
    }

    @Override
    public String describe() { return "FP32 " + model.path(); }
}
