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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.ParallelMatmul;

/**
 * One op = Y = W·X for a batch of inputs (prefill). Input vectors per second = ops/s × batch; compare with the GEMV
 * rate to see what batching buys. {@code -jvmArgsAppend -Dturboquant.decodeGemm=false} runs the float table kernels
 * at every batch (the GEMM before DecodeGemm), for comparison.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@State(Scope.Benchmark)
public class GemmBenchmark {
    @Param({"4096x4096", "4096x14336", "16384x14336"})
    public String shape;
    @Param({"1", "8", "32"})
    public int batch;
    @Param({"4"})
    public int bits;
    @Param({"hadamard"})
    public String rotation;
    @Param({"128"})
    public String block;
    @Param({"2"})
    public int threads;
    /** KernelMode: float (DecodeGemm from 4 inputs, the float tables below), int8 (the int8 tables), auto. */
    @Param({"float", "int8"})
    public String kernels;

    private QuantizedMatrix matrix;
    private float[] x, y;
    private ParallelMatmul pool;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = BenchData.shape(shape);
        matrix = BenchData.randomQuantized(s[0], s[1], bits, rotation, block, 3);
        x = BenchData.gaussian(batch * s[1], 1);
        y = new float[batch * s[0]];
        ParallelMatmul own = new ParallelMatmul(threads);
        pool = own.withKernels(own.kernels().withMode(KernelMode.parse(kernels)));
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        pool.gemm(matrix, x, batch, y);
        bh.consume(y);
    }

}
