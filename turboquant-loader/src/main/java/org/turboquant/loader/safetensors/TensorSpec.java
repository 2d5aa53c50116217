package org.turboquant.loader.safetensors;

import java.util.Arrays;

/** A tensor declared to a {@link SafetensorsWriter} before its bytes are written: name, dtype and shape. */
public record TensorSpec(String name, DType dtype, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    public static TensorSpec of(String name, DType dtype, long... shape) {
        return new TensorSpec(name, dtype, shape);
    }

    @Override
    public long[] shape() { return shape.clone(); }

    /** Bytes of data: shape product × dtype size. @throws ArithmeticException on overflow */
    public long byteSize() {
        return Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape); }
}
