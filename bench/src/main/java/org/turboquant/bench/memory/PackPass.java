package org.turboquant.bench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;

/**
 * Resident memory and time of full passes over a pack: opens it, multiplies every quantized tensor once (y = W·x,
 * a Gaussian x), twice over, and prints the process's VmRSS / RssFile / RssAnon (/proc/self/status, Linux) before
 * opening, after pass 1 and after pass 2, with each pass's wall time. RssFile is the mapped pack's pages in memory;
 * RssAnon the heap, the JIT and any off-heap copy the kernels keep. Not JMH: a first pass happens once per process.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.turboquant.bench.memory.PackPass PACK_DIR [passes] [prepare]</pre>
 * With {@code prepare}, every tensor's {@code prepare()} runs (timed) before pass 1.
 */
public final class PackPass {
    private PackPass() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: PackPass PACK_DIR [passes (default 2)] [prepare]");
            System.exit(1);
        }
        Path dir = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean prepare = args.length > 2 && "prepare".equals(args[2]);
        long packBytes;
        try (var files = Files.list(dir)) {
            packBytes = files.mapToLong(PackPass::size).sum();
        }
        System.out.printf("pack %s: %.1f MiB on disk%n", dir, packBytes / 1048576.0);
        Rss baseline = Rss.read();
        report("before open (JVM baseline)", baseline, baseline, packBytes, Double.NaN);
        try (TqPack pack = TqPack.open(dir)) {
            List<TqTensor> tensors = pack.tensors().stream().filter(TqTensor::quantized).toList();
            System.out.printf("%d quantized tensors of %d%n", tensors.size(), pack.tensors().size());
            if (prepare) { // TqTensor.prepare on every tensor first: the kernels' JIT warm-up, as a server would at start
                long t0 = System.nanoTime();
                for (TqTensor t : tensors) t.prepare();
                report("after prepare() of every tensor", Rss.read(), baseline, packBytes, (System.nanoTime() - t0) / 1e9);
            }
            for (int p = 1; p <= passes; p++) {
                long t0 = System.nanoTime();
                double checksum = pass(tensors, p);
                double seconds = (System.nanoTime() - t0) / 1e9;
                report("after pass " + p + " (checksum " + (float) checksum + ")", Rss.read(), baseline, packBytes, seconds);
                System.gc();
                var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                System.out.printf("  live heap after GC %.1f MiB (committed %.1f MiB)%n", heap.getUsed() / 1048576.0,
                        heap.getCommitted() / 1048576.0);
            }
        }
        report("after close", Rss.read(), baseline, packBytes, Double.NaN);
    }

    /** Every tensor multiplied once; returns Σ y so that nothing is optimized away and runs can be compared. */
    private static double pass(List<TqTensor> tensors, long seed) {
        double sum = 0;
        for (TqTensor t : tensors) {
            SplittableRandom random = new SplittableRandom(seed * 31 + t.name().hashCode());
            float[] x = new float[t.cols()], y = new float[t.rows()];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            t.matvec(x, y);
            for (float v : y) sum += v;
        }
        return sum;
    }

    private static void report(String when, Rss now, Rss base, long packBytes, double seconds) {
        System.out.printf("%-40s VmRSS %8.1f MiB  RssFile %8.1f  RssAnon %8.1f  (VmRSS - baseline) / pack %.3f%s%n",
                when, now.total / 1024.0, now.file / 1024.0, now.anon / 1024.0,
                (now.total - base.total) * 1024.0 / packBytes,
                Double.isNaN(seconds) ? "" : String.format("  %.2f s", seconds));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The kB figures of /proc/self/status. */
    private record Rss(long total, long file, long anon) {
        static Rss read() throws IOException {
            long total = 0, file = 0, anon = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) total = kb(line);
                else if (line.startsWith("RssFile:")) file = kb(line);
                else if (line.startsWith("RssAnon:")) anon = kb(line);
            }
            return new Rss(total, file, anon);
        }

        private static long kb(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
    }
}
