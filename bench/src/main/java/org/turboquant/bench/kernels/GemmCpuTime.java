package org.turboquant.bench.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.ParallelMatmul;

/**
 * GEMM speed on one thread in multiply-adds per second of the thread's CPU time, not wall time: on the shared 2-core
 * VM other jobs steal the core during a JMH run, which wall-clock scores cannot tell from a slower kernel. Best of 7
 * repetitions of 200 products each, after 300 warm-up products, 4-bit hadamard blocks of 128, every batch of the
 * list on every shape (rows × cols). Indicative A/B between kernel versions, not a substitute for GemmBenchmark.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.turboquant.bench.kernels.GemmCpuTime \
 *     [SHAPES=1536x384,384x1536,384x384] [BATCHES=8,12,16,20,24,32]
 * </pre>
 */
public final class GemmCpuTime {
    private GemmCpuTime() {}

    public static void main(String[] args) {
        String[] shapes = (args.length > 0 ? args[0] : "1536x384,384x1536,384x384").split(",");
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "8,12,16,20,24,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (ParallelMatmul pool = new ParallelMatmul(1)) {
            for (String shape : shapes) {
                int[] s = BenchData.shape(shape);
                QuantizedMatrix m = BenchData.randomQuantized(s[0], s[1], 4, "hadamard", "128", 3);
                StringBuilder line = new StringBuilder(shape + " G multiply-adds/s of CPU time:");
                for (int batch : batches) {
                    float[] x = BenchData.gaussian(batch * s[1], 1), y = new float[batch * s[0]];
                    for (int i = 0; i < 300; i++) pool.gemm(m, x, batch, y);
                    long best = Long.MAX_VALUE;
                    for (int rep = 0; rep < 7; rep++) {
                        long t0 = cpu.getCurrentThreadCpuTime();
                        for (int i = 0; i < 200; i++) pool.gemm(m, x, batch, y);
                        best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / 200);
                    }
                    line.append(String.format(Locale.ROOT, " batch %d %.1f", batch, (double) batch * s[0] * s[1] / best));
                }
                System.out.println(line);
            }
        }
    }
}
