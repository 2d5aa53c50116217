package org.turboquant.loader.safetensors;

import java.util.Arrays;

/**
 * One header entry of a safetensors file. {@code begin} and {@code end} are byte offsets relative to the start of the
 * data section (the byte after the header), exactly as in the header's {@code data_offsets}; end is exclusive.
 * The shape array is copied on the way in and out, so a record is immutable.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    /** Number of dimensions (0 for a scalar). */
    public int rank() { return shape.length; }

    /** The size of dimension {@code i}. */
    public long dim(int i) { return shape[i]; }

    /** Number of elements: the product of the shape (1 for a scalar). Callers validate against overflow first. */
    public long numel() {
        return Shapes.numel(shape);
    }

    /** Length of the byte range, {@code end - begin}. */
    public long byteSize() { return end - begin; }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(shape); }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
