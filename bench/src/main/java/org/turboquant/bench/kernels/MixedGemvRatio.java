package org.turboquant.bench.kernels;

import java.util.Arrays;
import java.util.Locale;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.ParallelMatmul;

/**
 * The grouped mixed-width GEMV against the uniform one, <em>interleaved</em>: {@link MixedGemvBenchmark}'s matrices,
 * timed in alternating short rounds (uniform then mixed, then mixed then uniform, ...) in one JVM, so that a load that
 * comes and goes on a shared machine hits both alike and their ratio stays meaningful where JMH's sequential trials
 * do not. Prints the median time per product of each and the median of the per-round ratios.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.turboquant.bench.kernels.MixedGemvRatio \
 *     4096x14336 heap 4.25 60 int8 float</pre>
 * (shape, codes = heap | mapped, rate, rounds, then the kernel modes of the mixed and of the uniform product, float |
 * int8 | auto, default float for both; 2 threads, 10 products per matrix and round, 3 s of warm-up first).
 */
public final class MixedGemvRatio {
    private static final int PER_ROUND = 10;

    private MixedGemvRatio() {}

    public static void main(String[] args) throws Exception {
        MixedGemvBenchmark.Matrices m = new MixedGemvBenchmark.Matrices();
        m.shape = args.length > 0 ? args[0] : "4096x14336";
        m.codes = args.length > 1 ? args[1] : "heap";
        m.rate = args.length > 2 ? Double.parseDouble(args[2]) : 4.25;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        KernelMode mixedMode = KernelMode.parse(args.length > 4 ? args[4] : "float");
        KernelMode uniformMode = KernelMode.parse(args.length > 5 ? args[5] : "float");
        m.threads = 2;
        m.setup();
        try {
            ParallelMatmul pool = m.pool;
            ParallelMatmul mixedPool = pool.withKernels(pool.kernels().withMode(mixedMode));
            ParallelMatmul uniformPool = pool.withKernels(pool.kernels().withMode(uniformMode));
            long warm = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warm) {
                uniformPool.gemv(m.uniform, m.x, m.y);
                mixedPool.gemv(m.grouped, m.x, m.y);
            }
            double[] uniform = new double[rounds], mixed = new double[rounds], ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                boolean uniformFirst = r % 2 == 0;
                double a = time(m, uniformFirst ? uniformPool : mixedPool, uniformFirst),
                        b = time(m, uniformFirst ? mixedPool : uniformPool, !uniformFirst);
                uniform[r] = uniformFirst ? a : b;
                mixed[r] = uniformFirst ? b : a;
                ratio[r] = uniform[r] / mixed[r]; // mixed speed relative to uniform
            }
            double weights = (double) m.uniform.rows() * m.uniform.cols();
            double u = median(uniform), x = median(mixed);
            System.out.printf(Locale.ROOT, "%s codes=%s rate=%s, %d rounds x %d products, 2 threads: uniform (%s) %.3f ms "
                            + "(%.1f Gw/s), grouped mixed (%s) %.3f ms (%.1f Gw/s); mixed/uniform speed: median of rounds "
                            + "%.3f (quartiles %.3f..%.3f)%n", m.shape, m.codes, m.rate, rounds, PER_ROUND, uniformMode.id(),
                    u / 1e6,
                    weights / u, mixedMode.id(), x / 1e6, weights / x, median(ratio), quantile(ratio, 0.25), quantile(ratio, 0.75));
        } finally {
            m.close();
        }
    }

    /** Nanoseconds per product, over one round of either matrix on {@code pool} (whose kernels are that matrix's). */
    private static double time(MixedGemvBenchmark.Matrices m, ParallelMatmul pool, boolean uniform) {
        long t0 = System.nanoTime();
        for (int i = 0; i < PER_ROUND; i++) {
            if (uniform) pool.gemv(m.uniform, m.x, m.y);
            else pool.gemv(m.grouped, m.x, m.y);
        }
        return (double) (System.nanoTime() - t0) / PER_ROUND;
    }

    private static double median(double[] v) {
        return quantile(v, 0.5);
    }

    private static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
    }
}
