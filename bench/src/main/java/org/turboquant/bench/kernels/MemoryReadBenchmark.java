package org.turboquant.bench.kernels;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
import org.turboquant.simd.ParallelMatmul;

/**
 * Plain read bandwidth: one op sums {@code megabytes} MB of floats (split over the threads like a GEMV), so
 * GB/s = ops/s × megabytes / 1000. 64 MB is an FP32 4096² matrix, well beyond the 32 MB L3; 8 MB is a 4-bit one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@State(Scope.Benchmark)
public class MemoryReadBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Param({"8", "64"})
    public int megabytes;
    @Param({"1", "2"})
    public int threads;

    private float[] data;
    private float[] partial;
    private ParallelMatmul pool;

    @Setup(Level.Trial)
    public void setup() {
        data = BenchData.gaussian(megabytes << 18, 5);
        partial = new float[1024];
        pool = new ParallelMatmul(threads);
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    @Benchmark
    public float read() {
        int rows = 1024, perRow = data.length / rows;
        pool.forRowRanges(rows, (s, e) -> {
            for (int r = s; r < e; r++) partial[r] = sum(r * perRow, perRow);
        });
        float total = 0f;
        for (float p : partial) total += p;
        return total;
    }

    private float sum(int off, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int step = 4 * F.length();
        for (int i = off; i < off + n; i += step) {
            a0 = a0.add(FloatVector.fromArray(F, data, i));
            a1 = a1.add(FloatVector.fromArray(F, data, i + F.length()));
            a2 = a2.add(FloatVector.fromArray(F, data, i + 2 * F.length()));
            a3 = a3.add(FloatVector.fromArray(F, data, i + 3 * F.length()));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
