package org.turboquant.loader.onnx;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.Shapes;
import org.turboquant.loader.source.Usage;

/**
 * A graph initializer (a constant tensor) of an ONNX model: its name, element type, dims, little-endian bytes and
 * usage. For {@code raw_data} the bytes are a zero-copy slice of the mapped file; for the typed repeated fields
 * ({@code float_data}, ...) they were decoded into a heap segment.
 */
public record OnnxInitializer(String name, DType dtype, long[] dims, MemorySegment data, Usage usage) {

    public OnnxInitializer {
        dims = dims.clone();
    }

    @Override
    public long[] dims() { return dims.clone(); }

    public long numel() {
        return Shapes.numel(dims);
    }

    @Override
    public boolean equals(Object o) { return this == o; }

    @Override
    public int hashCode() { return System.identityHashCode(this); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(dims) + " " + usage; }
}
