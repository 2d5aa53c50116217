package org.turboquant.simd;

/** The argument checks every product shares, with messages that say what does not fit. */
public final class ProductArgs {
    private ProductArgs() {}

    /**
     * Checks that {@code array}[off, off + needed) exists.
     *
     * @throws IndexOutOfBoundsException naming the array, its length, the offset and the elements needed
     */
    public static void check(String what, int length, long off, long needed) {
        if (off < 0 || off > length || needed > length - off)
            throw new IndexOutOfBoundsException(what + " has " + length + " elements; " + needed + " are needed from offset "
                    + off);
    }

    /** Checks that a bias, when given, has one value per output row. */
    public static void checkBias(float[] bias, int rows) {
        if (bias != null && bias.length != rows)
            throw new IllegalArgumentException("bias has " + bias.length + " elements, the matrix has " + rows + " rows");
    }

    /** Checks that an array is exactly as long as the matrix side it meets (the offset-free products). */
    public static void checkExact(String what, int length, int expected, String side) {
        if (length != expected)
            throw new IllegalArgumentException(what + " has " + length + " elements, the matrix has " + expected + " " + side);
    }
}
