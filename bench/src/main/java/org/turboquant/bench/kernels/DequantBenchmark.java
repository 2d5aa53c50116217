package org.turboquant.bench.kernels;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.TurboQuantKernels;

/**
 * One op = one row decoded to floats (look-up, inverse rotation, scale): what a loader pays to materialize a tensor.
 * Weights per second = ops/s × cols.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class DequantBenchmark {
    @Param({"256x4096"})
    public String shape;
    @Param({"2", "4", "8"})
    public int bits;
    @Param({"hadamard", "qr"})
    public String rotation;
    @Param({"128"})
    public String block;

    private QuantizedMatrix matrix;
    private float[] row;
    private int next;
    private final TurboQuantKernels kernels = TurboQuantKernels.get();

    @Setup(Level.Trial)
    public void setup() {
        int[] s = BenchData.shape(shape);
        matrix = BenchData.randomQuantized(s[0], s[1], bits, rotation, block, 3);
        row = new float[s[1]];
    }

    @Benchmark
    public void dequantizeRow(Blackhole bh) {
        kernels.dequantizeRow(matrix, next, row, 0);
        next = next + 1 == matrix.rows() ? 0 : next + 1;
        bh.consume(row);
    }
}
