package org.turboquant.cli.fidelity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.turboquant.loader.safetensors.Shapes;

/**
 * Replacement values for some of a model's float initializers, in their ONNX shape and orientation: what a
 * quantized pack decodes to.
 */
public final class WeightOverrides {
    /** One replaced initializer. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = Shapes.numel(shape);
            if (n != data.length) throw new IllegalArgumentException("shape holds " + n + " values, data " + data.length);
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public static WeightOverrides none() {
        return new WeightOverrides();
    }

    public WeightOverrides put(String name, long[] shape, float[] data) {
        tensors.put(name, new Tensor(shape.clone(), data));
        return this;
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public boolean isEmpty() {
        return tensors.isEmpty();
    }
}
