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
import org.turboquant.simd.panama.PanamaKernels;

/**
 * The QR input rotation, P·x_k per block: cols·g multiply-adds per GEMV (d² for a whole-row rotation), against the
 * single-thread 4-bit GEMV it precedes (which includes it). Their ratio shows the block size at which it stops
 * mattering.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@State(Scope.Benchmark)
public class InputRotationBenchmark {
    @Param({"4096x4096"})
    public String shape;
    @Param({"qr"})
    public String rotation;
    /** g; "row" is a whole-row 4096 QR (about 30 s to build). */
    @Param({"128", "512", "1024", "2048", "row"})
    public String block;

    private QuantizedMatrix matrix;
    private float[] x, y;
    private PanamaKernels kernels;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = BenchData.shape(shape);
        matrix = BenchData.randomQuantized(s[0], s[1], 4, rotation, block, 3);
        x = BenchData.gaussian(s[1], 1);
        y = new float[s[0]];
        if (!(TurboQuantKernels.get() instanceof PanamaKernels p))
            throw new IllegalStateException("needs the Panama kernels, got " + TurboQuantKernels.get().name());
        kernels = p;
    }

    @Benchmark
    public float[] rotateInput() {
        return kernels.rotateInput(matrix, x, 0);
    }

    @Benchmark
    public void gemv(Blackhole bh) {
        kernels.gemv(matrix, x, y, 0, matrix.rows());
        bh.consume(y);
    }
}
