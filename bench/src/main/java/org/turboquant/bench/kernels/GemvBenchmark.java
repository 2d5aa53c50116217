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
import org.turboquant.core.baseline.IQ4_XSMatrix;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q4_KMatrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.baseline.Fp32Gemv;
import org.turboquant.simd.baseline.IQ4_XSGemv;
import org.turboquant.simd.baseline.Q4_0Gemv;
import org.turboquant.simd.baseline.Q4_KGemv;
import org.turboquant.simd.baseline.Q8_0Gemv;

/**
 * One op = one full GEMV y = W·x. Weights per second = ops/s × rows × cols. The baselines and TurboQuant use the
 * same row-range split on the same bounded pool, so the thread counts compare like for like.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class GemvBenchmark {

    /** Shape and threads, shared by every format. */
    @State(Scope.Benchmark)
    public static class Common {
        @Param({"4096x4096", "4096x14336", "16384x14336"})
        public String shape;
        @Param({"1", "2"})
        public int threads;

        int rows, cols;
        float[] x, y;
        ParallelMatmul pool;

        @Setup(Level.Trial)
        public void setup() {
            int[] s = BenchData.shape(shape);
            rows = s[0];
            cols = s[1];
            x = BenchData.gaussian(cols, 1);
            y = new float[rows];
            pool = new ParallelMatmul(threads);
        }

        @TearDown(Level.Trial)
        public void close() {
            pool.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Baselines {
        float[] fp32;
        Q8_0Matrix q8;
        Q4_0Matrix q4;
        Q4_KMatrix q4k;
        IQ4_XSMatrix iq4xs;

        @Setup(Level.Trial)
        public void setup(Common c) {
            fp32 = BenchData.gaussian(c.rows * c.cols, 2);
            q8 = Q8_0Matrix.quantize(fp32, c.rows, c.cols);
            q4 = Q4_0Matrix.quantize(fp32, c.rows, c.cols);
            q4k = Q4_KMatrix.quantize(fp32, c.rows, c.cols);
            iq4xs = IQ4_XSMatrix.quantize(fp32, c.rows, c.cols);
        }
    }

    @State(Scope.Benchmark)
    public static class TurboQuant {
        @Param({"1", "2", "3", "4", "8"})
        public int bits;
        @Param({"hadamard", "qr"})
        public String rotation;
        /** A block size or "row" (whole-row rotation; a 4096 QR takes ~30 s to build). */
        @Param({"128", "row"})
        public String block;

        QuantizedMatrix matrix;

        @Setup(Level.Trial)
        public void setup(Common c) {
            matrix = BenchData.randomQuantized(c.rows, c.cols, bits, rotation, block, 3);
        }
    }

    @Benchmark
    public void fp32(Common c, Baselines b, Blackhole bh) {
        c.pool.forRowRanges(c.rows, (s, e) -> Fp32Gemv.gemv(b.fp32, c.cols, c.x, c.y, s, e));
        bh.consume(c.y);
    }

    @Benchmark
    public void q8_0(Common c, Baselines b, Blackhole bh) {
        c.pool.forRowRanges(c.rows, (s, e) -> Q8_0Gemv.gemv(b.q8, c.x, c.y, s, e));
        bh.consume(c.y);
    }

    @Benchmark
    public void q4_0(Common c, Baselines b, Blackhole bh) {
        c.pool.forRowRanges(c.rows, (s, e) -> Q4_0Gemv.gemv(b.q4, c.x, c.y, s, e));
        bh.consume(c.y);
    }

    @Benchmark
    public void q4_k(Common c, Baselines b, Blackhole bh) {
        c.pool.forRowRanges(c.rows, (s, e) -> Q4_KGemv.gemv(b.q4k, c.x, c.y, s, e));
        bh.consume(c.y);
    }

    @Benchmark
    public void iq4_xs(Common c, Baselines b, Blackhole bh) {
        c.pool.forRowRanges(c.rows, (s, e) -> IQ4_XSGemv.gemv(b.iq4xs, c.x, c.y, s, e));
        bh.consume(c.y);
    }

    @Benchmark
    public void turboquant(Common c, TurboQuant t, Blackhole bh) {
        c.pool.gemv(t.matrix, c.x, c.y);
        bh.consume(c.y);
    }

    /**
     * TurboQuant with the integer-domain kernels forced on where they can run (int8 tables, byte permutes; 1/2/4 bits
     * on AVX-512 VBMI; 8 bits with int8 levels), other widths as {@link #turboquant}: the A/B of docs/BENCHMARKS.md, "Integer-domain kernels".
     */
    @Benchmark
    @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g", "-Dturboquant.intKernels=true"})
    public void turboquantInt(Common c, TurboQuant t, Blackhole bh) {
        c.pool.gemv(t.matrix, c.x, c.y);
        bh.consume(c.y);
    }
}
