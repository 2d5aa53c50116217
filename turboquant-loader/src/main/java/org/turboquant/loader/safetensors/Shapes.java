package org.turboquant.loader.safetensors;

/** Arithmetic on tensor shapes, in one place. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements: the product of the dimensions (1 for a scalar). @throws ArithmeticException on overflow */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
