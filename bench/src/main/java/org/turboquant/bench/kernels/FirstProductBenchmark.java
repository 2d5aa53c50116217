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
 * What a matrix's first product costs once the JIT is warm: for 1- to 4-bit matrices the table kernels regroup the
 * codes into their 16-row layout on first use (kept with the matrix). {@code first} multiplies a fresh matrix
 * object over the same codes (so it regroups), {@code again} one that has already been multiplied; the difference
 * is the regrouping. One thread, one GEMV per op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@State(Scope.Thread)
public class FirstProductBenchmark {
    @Param({"4096x4096"})
    public String shape;
    @Param({"1", "2", "4"})
    public int bits;

    private final TurboQuantKernels kernels = TurboQuantKernels.get();
    private QuantizedMatrix template, fresh, warm;
    private float[] x, y;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = BenchData.shape(shape);
        template = BenchData.randomQuantized(s[0], s[1], bits, "hadamard", "128", 3);
        warm = copy(template);
        x = BenchData.gaussian(s[1], 1);
        y = new float[s[0]];
        kernels.gemv(warm, x, y, 0, s[0]);
    }

    /** A new matrix object over the same codes and scales: nothing derived from it yet. */
    @Setup(Level.Invocation)
    public void freshMatrix() {
        fresh = copy(template);
    }

    private static QuantizedMatrix copy(QuantizedMatrix m) {
        return new QuantizedMatrix(m.rows(), m.layout(), m.bits(), m.rotation(), m.centroids(), m.codes(), m.scales());
    }

    @Benchmark
    public void first(Blackhole bh) {
        kernels.gemv(fresh, x, y, 0, y.length);
        bh.consume(y);
    }

    @Benchmark
    public void again(Blackhole bh) {
        kernels.gemv(warm, x, y, 0, y.length);
        bh.consume(y);
    }
}
