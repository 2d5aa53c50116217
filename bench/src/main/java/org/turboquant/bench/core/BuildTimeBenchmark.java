package org.turboquant.bench.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.turboquant.core.Codebook;
import org.turboquant.core.HadamardRotation;
import org.turboquant.core.QrRotation;

/**
 * Build time of the things a packer or loader creates once per (g, seed) or (g, bits): QR and Hadamard
 * rotations and Lloyd–Max codebooks. Single-shot with the uncached constructors, so every call is a cold build
 * (issue targets: qr g = 4096 under 10 s, any codebook with g ≤ 16384, b ≤ 8 under 100 ms).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Thread)
public class BuildTimeBenchmark {

    @State(Scope.Benchmark)
    public static class QrSize {
        @Param({"1024", "4096"})
        public int dim;
    }

    @State(Scope.Benchmark)
    public static class CodebookSize {
        @Param({"64:4", "384:8", "1024:2", "4096:4", "4096:8", "16384:1", "16384:4", "16384:8"})
        public String dimAndBits;
    }

    /** A new seed per call: nothing can be reused between calls even if a cache were hit by mistake. */
    private long seed = 1;

    @Benchmark
    public QrRotation qr(QrSize size) {
        return new QrRotation(size.dim, seed++);
    }

    @Benchmark
    public HadamardRotation hadamard4096() {
        return new HadamardRotation(4096, seed++);
    }

    @Benchmark
    public Codebook codebook(CodebookSize size) {
        String[] parts = size.dimAndBits.split(":");
        return Codebook.solve(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }
}
