package org.turboquant.bench.core;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;

/**
 * Throughput of the scalar reference on a 1024×1024 matrix at 4 bits: quantizing it (the packer's inner loop) and
 * one GEMV straight from the codes (the baseline the SIMD kernels are compared with). Rotations and codebooks are
 * built in setup, so only the per-weight work is timed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ScalarQuantizeBenchmark {
    private static final int ROWS = 1024, COLS = 1024;

    /** rotation:block size (0 = whole row). */
    @Param({"qr:0", "qr:128", "hadamard:128", "hadamard:0"})
    public String layout;

    private float[] weights;
    private float[] input;
    private float[] output;
    private QuantConfig config;
    private QuantizedMatrix quantized;

    @Setup
    public void setup() {
        String[] parts = layout.split(":");
        config = new QuantConfig(4, Integer.parseInt(parts[1]), RotationKind.parse(parts[0]), 7, NormPrecision.F16, false);
        SplittableRandom random = new SplittableRandom(1);
        weights = new float[ROWS * COLS];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
        input = new float[COLS];
        for (int i = 0; i < COLS; i++) input[i] = (float) random.nextGaussian();
        output = new float[ROWS];
        quantized = MatrixQuantizer.quantize(weights, ROWS, COLS, config);
    }

    @Benchmark
    public QuantizedMatrix quantize() {
        return MatrixQuantizer.quantize(weights, ROWS, COLS, config);
    }

    @Benchmark
    public float[] gemv() {
        ScalarKernels.gemv(quantized, input, output);
        return output;
    }
}
