package org.turboquant.bench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.turboquant.loader.pack.PackOptions;
import org.turboquant.loader.pack.Packer;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Does {@link TqTensor#warmUp()} leave the first real product within 2× of a later one? Not JMH: the first product
 * happens once per JVM, so each run is a fresh JVM. Writes a one-matrix checkpoint (ROWS × COLS, Gaussian), packs it
 * with the given method and bits, opens it (threads as given), times warmUp(), then the first matvec, then the
 * median of 50 later ones. Without "nowarm" warmUp() runs; with it, the cold first product is shown for contrast.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.turboquant.bench.memory.WarmUpCheck 4096 4096 turboquant 4 2 [nowarm]</pre>
 */
public final class WarmUpCheck {
    private WarmUpCheck() {}

    public static void main(String[] args) throws IOException {
        int rows = Integer.parseInt(args[0]), cols = Integer.parseInt(args[1]);
        String method = args[2];
        double bits = Double.parseDouble(args[3]);
        int threads = Integer.parseInt(args[4]);
        boolean warm = !(args.length > 5 && args[5].equals("nowarm"));
        Path dir = Files.createTempDirectory("tq-warmup");
        Path src = dir.resolve("model.safetensors");
        Random rnd = new Random(1);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian() * 0.02f;
        try (SafetensorsWriter out = SafetensorsWriter.create(src, List.of(TensorSpec.of("layer.weight", DType.F32, rows, cols)), Map.of())) {
            out.writeFloats(w, 0, w.length);
        }
        PackOptions o = PackOptions.defaults().withMethod(org.turboquant.loader.pack.Method.parse(method)).withBits(bits);
        Packer.pack(src, dir.resolve("pack"), o, false, ProgressListener.NONE);
        try (TqPack pack = TqPack.open(dir.resolve("pack"), TqPack.Options.defaults().threads(threads))) {
            TqTensor t = pack.tensor("layer.weight");
            float[] x = new float[cols], y = new float[rows];
            for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
            long t0 = System.nanoTime();
            if (warm) t.warmUp();
            long t1 = System.nanoTime();
            t.matvec(x, y);
            long first = System.nanoTime() - t1;
            long[] later = new long[50];
            for (int i = 0; i < later.length; i++) {
                long s = System.nanoTime();
                t.matvec(x, y);
                later[i] = System.nanoTime() - s;
            }
            Arrays.sort(later);
            long median = later[later.length / 2];
            System.out.printf("%s %dx%d %s bits %s, %d threads, kernel %s%n  warmUp %.1f ms; first product %.3f ms; "
                            + "later (median of 50) %.3f ms; first/later %.2f%n", method, rows, cols, args[3],
                    warm ? "warmed" : "NOT warmed", threads, t.kernel(), (t1 - t0) / 1e6, first / 1e6, median / 1e6,
                    (double) first / median);
        }
    }
}
