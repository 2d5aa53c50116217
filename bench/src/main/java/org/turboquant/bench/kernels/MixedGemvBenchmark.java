package org.turboquant.bench.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
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
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.Rotation;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.core.RotationKind;
import org.turboquant.simd.ParallelMatmul;

/**
 * Fused GEMV on a mixed-width matrix at a fractional rate (e.g. 4.25 bits per weight: 4-bit units with the
 * share of 5-bit units the rate pays for) against the uniform matrix at the base width, in the same run. One op
 * is one full y = W·x; weights/s = ops/s × rows × cols. Codes and the width map are random (speed does not depend
 * on which units are wide, only on how many). {@code mixedRate} is the row-major mixed layout (widths per row × unit,
 * row-at-a-time kernels); {@code mixedGrouped} the grouped one (widths per 16-row group × block, {@code
 * mixed_row_groups_16}: the 16-row table kernels), with the same number of wide units rounded down to whole cells.
 *
 * <p>{@code codes=mapped} puts the uniform matrix's and the grouped mixed matrix's codes in a file and multiplies them
 * from its read-only mapping, in the order a version-3 pack stores them ({@code row_groups_16} and {@code
 * mixed_row_groups_16}, docs/FORMAT.md §19), as {@code TqPack.open} does: no copy at first use. {@code heap} keeps
 * them in heap arrays (the uniform matrix in row order, regrouped once at its first product); the row-order mixed
 * matrix is always on the heap.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class MixedGemvBenchmark {

    @State(Scope.Benchmark)
    public static class Matrices {
        @Param({"4096x4096", "4096x14336", "16384x14336"})
        public String shape;
        @Param({"2"})
        public int threads;
        @Param({"4.25"})
        public double rate;
        /** Bits per block scale the rate pays: 16 (f16) or 8 (log8, more wide units at the same rate). */
        @Param({"16"})
        public int scaleBits;
        @Param({"heap", "mapped"})
        public String codes;

        float[] x, y;
        ParallelMatmul pool;
        QuantizedMatrix uniform;
        MixedQuantizedMatrix mixed, grouped;
        private final Arena arena = Arena.ofShared();
        private final java.util.List<Path> files = new java.util.ArrayList<>();

        @Setup(Level.Trial)
        public void setup() {
            int[] s = BenchData.shape(shape);
            int rows = s[0], cols = s[1], base = (int) Math.floor(rate - 0.125);
            x = BenchData.gaussian(cols, 1);
            y = new float[rows];
            pool = new ParallelMatmul(threads);
            uniform = BenchData.randomQuantized(rows, cols, base, "hadamard", "128", 3);
            if (codes.equals("mapped")) // random bytes are valid codes in either order: store them as grouped
                uniform = new QuantizedMatrix(rows, uniform.layout(), base, uniform.rotation(), uniform.centroids(),
                        mapped(uniform.codes().toArray(ValueLayout.JAVA_BYTE)),
                        RowGroupCodes.groupScales(uniform.scales(), rows, uniform.blocksPerRow()), CodeLayout.ROW_GROUPS_16);
            BlockLayout blocks = BlockLayout.of(cols, 128, RotationKind.HADAMARD);
            long units = (long) rows * MixedLayout.unitsPerRow(blocks);
            long uniformBits = BitAllocation.mixedBits(rows, blocks, base, base + 1, 0, scaleBits);
            long perUnit = BitAllocation.mixedBits(rows, blocks, base, base + 1, 1, scaleBits) - uniformBits;
            // at most every unit; at least none (4.13: a mixed matrix with no wide unit, to time the mixed kernel
            // itself against the uniform one)
            long wide = Math.max(0, Math.min(units, (long) ((rate * rows * cols - uniformBits) / perUnit)));
            double[] energies = new double[Math.toIntExact(units)];
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < energies.length; i++) energies[i] = random.nextDouble();
            MixedLayout layout = MixedLayout.of(rows, blocks, BitAllocation.widestFirst(energies, wide));
            long bytes = MixedQuantizedMatrix.codeBytes(layout, 16L * base * layout.unitIndices() / 128,
                    16L * (base + 1) * layout.unitIndices() / 128, rows);
            byte[] codes = new byte[Math.toIntExact(bytes)];
            random.nextBytes(codes);
            mixed = new MixedQuantizedMatrix(layout, Rotation.of(RotationKind.HADAMARD, 128, 3), base,
                    Codebook.of(128, base).centroids(), base + 1, Codebook.of(128, base + 1).centroids(),
                    MemorySegment.ofArray(codes), uniform.scales());
            int groups = (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
            MixedLayout cells = MixedLayout.of(rows, blocks, BitAllocation.widestCellsFirst(energies, rows,
                    MixedLayout.unitsPerRow(blocks), wide / CodeLayout.GROUP_ROWS));
            byte[] cellCodes = new byte[Math.toIntExact(MixedQuantizedMatrix.groupedCodeBytes(cells, base, base + 1))];
            random.nextBytes(cellCodes);
            grouped = new MixedQuantizedMatrix(cells, Rotation.of(RotationKind.HADAMARD, 128, 3), base,
                    Codebook.of(128, base).centroids(), base + 1, Codebook.of(128, base + 1).centroids(),
                    codes.equals("mapped") ? mapped(cellCodes) : MemorySegment.ofArray(cellCodes),
                    new float[groups * CodeLayout.GROUP_ROWS * blocks.blocksPerRow()],
                    CodeLayout.MIXED_ROW_GROUPS_16);
            java.util.Arrays.fill(grouped.scales(), 0.01f);
        }

        /** bytes written to a temporary file and mapped read-only, as a pack's weights file is. */
        private MemorySegment mapped(byte[] bytes) {
            try {
                Path f = Files.createTempFile("mixed-gemv", ".codes");
                files.add(f);
                Files.write(f, bytes);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    return ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            pool.close();
            arena.close();
            for (Path f : files) Files.deleteIfExists(f);
        }
    }

    @Benchmark
    public void uniformBase(Matrices m, Blackhole bh) {
        m.pool.gemv(m.uniform, m.x, m.y);
        bh.consume(m.y);
    }

    @Benchmark
    public void mixedGrouped(Matrices m, Blackhole bh) {
        m.pool.gemv(m.grouped, m.x, m.y);
        bh.consume(m.y);
    }

    @Benchmark
    public void mixedRate(Matrices m, Blackhole bh) {
        m.pool.gemv(m.mixed, m.x, m.y);
        bh.consume(m.y);
    }
}
