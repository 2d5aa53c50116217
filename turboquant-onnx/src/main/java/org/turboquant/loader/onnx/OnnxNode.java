package org.turboquant.loader.onnx;

import java.util.List;
import java.util.Map;

/**
 * A graph node as far as the loader needs it: operator, input and output value names, its integer attributes
 * (an {@code i} attribute as a one-element array, an {@code ints} attribute as the array) and its real attributes:
 * {@code f}, {@code floats}, and the elements of a small numeric tensor attribute such as a Constant's
 * {@code value} (at most {@value #MAX_TENSOR_ATTRIBUTE} elements). Empty input names mark omitted optional inputs,
 * as in ONNX.
 */
public record OnnxNode(String opType, List<String> inputs, List<String> outputs, Map<String, long[]> intAttributes,
                       Map<String, double[]> realAttributes) {

    /** Tensor attributes up to this many elements are kept (a Constant's scalars and shapes, not weights). */
    public static final int MAX_TENSOR_ATTRIBUTE = 4096;

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        intAttributes = Map.copyOf(intAttributes);
        realAttributes = Map.copyOf(realAttributes);
    }

    public OnnxNode(String opType, List<String> inputs, List<String> outputs, Map<String, long[]> intAttributes) {
        this(opType, inputs, outputs, intAttributes, Map.of());
    }

    /** The real-valued attribute {@code name} (f, floats, or a small numeric tensor's elements), or null. */
    public double[] realAttribute(String name) {
        double[] v = realAttributes.get(name);
        return v == null ? null : v.clone();
    }

    /** The single-integer attribute {@code name}, or {@code fallback} when absent. */
    public long intAttribute(String name, long fallback) {
        long[] v = intAttributes.get(name);
        return v == null || v.length != 1 ? fallback : v[0];
    }

    /** The integer-list attribute {@code name}, or null when absent. */
    public long[] intsAttribute(String name) {
        long[] v = intAttributes.get(name);
        return v == null ? null : v.clone();
    }
}
