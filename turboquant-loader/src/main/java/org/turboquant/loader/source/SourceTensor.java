package org.turboquant.loader.source;

import java.util.Arrays;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.Shapes;

/**
 * A tensor as a {@link TensorSource} offers it: name, element type, shape and usage. Its bytes are read through the
 * source ({@link TensorSource#raw}, {@link TensorSource#readFloats}). The shape array is copied in and out.
 */
public record SourceTensor(String name, DType dtype, long[] shape, Usage usage) {

    public SourceTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public long dim(int i) { return shape[i]; }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        return Shapes.numel(shape);
    }

    /** Size in bytes of the tensor's data. */
    public long byteSize() { return numel() * dtype.byteSize(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceTensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && usage == t.usage;
    }

    @Override
    public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape) + " " + usage; }
}
