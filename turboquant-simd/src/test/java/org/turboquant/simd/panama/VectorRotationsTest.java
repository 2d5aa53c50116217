package org.turboquant.simd.panama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.simd.TestMatrices;

/** The vector FWHT (in-register strides at 16 lanes) equals the scalar butterflies bit for bit, at any offset. */
class VectorRotationsTest {
    @ParameterizedTest(name = "n {0}")
    @ValueSource(ints = {1, 2, 8, 16, 32, 128, 256, 4096})
    void fwhtEqualsTheScalarTransformBitForBit(int n) {
        float[] x = TestMatrices.gaussian(n + 7, n);
        float[] expected = x.clone(), actual = x.clone();
        scalarFwht(expected, 3, n);
        new VectorRotations().fwht(actual, 3, n);
        assertArrayEquals(expected, actual);
        assertArrayEquals(Arrays.copyOf(x, 3), Arrays.copyOf(actual, 3), "outside the block untouched");
    }

    private static void scalarFwht(float[] v, int off, int n) {
        for (int h = 1; h < n; h <<= 1)
            for (int i = 0; i < n; i += h << 1)
                for (int j = off + i; j < off + i + h; j++) {
                    float a = v[j], b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
    }
}
