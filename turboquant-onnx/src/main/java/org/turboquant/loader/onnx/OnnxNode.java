package org.turboquant.loader.onnx;

import java.util.List;
import java.util.Map;

/**
 * A graph node as far as the loader needs it: operator, input and output value names, and its integer attributes
 * (an {@code i} attribute as a one-element array, an {@code ints} attribute as the array). Empty input names mark
 * omitted optional inputs, as in ONNX.
 */
public record OnnxNode(String opType, List<String> inputs, List<String> outputs, Map<String, long[]> intAttributes) {

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        intAttributes = Map.copyOf(intAttributes);
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
