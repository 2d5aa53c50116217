package org.turboquant.cli.synth;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.turboquant.core.SplitMix64;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Writes a deterministic synthetic BF16 checkpoint of a {@link CheckpointLayout}: matrices hold approximately normal
 * values of standard deviation 0.02 (the usual initialisation scale), 1-D tensors values near 1 (like norm weights).
 * Values are produced in fixed chunks, each from its own seed, so the bytes do not depend on the thread count.
 * Meant for packing benchmarks, not for inference.
 */
public final class SyntheticCheckpoint {
    /** Elements per generation task; also the unit of determinism. */
    static final int CHUNK = 1 << 20;
    private static final float MATRIX_STD = 0.02f;
    private static final float VECTOR_STD = 0.05f;

    /** The {@code __metadata__} entry that marks a file as this class's output (tq synth --force replaces only such files). */
    public static final String GENERATOR_KEY = "generator", GENERATOR = "tq synth";

    private SyntheticCheckpoint() {}

    /**
     * Writes the checkpoint to {@code out}, replacing it; callers stage it (tq synth writes into a
     * {@code StagedOutput} and renames at the end).
     *
     * @param progress receives the number of elements written after every chunk
     */
    public static void write(Path out, CheckpointLayout layout, long seed, int threads, LongConsumer progress)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "turboquant-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            try (SafetensorsWriter w = SafetensorsWriter.create(out, layout.tensors(),
                    // Sorted: Map.of's iteration order changes from one JVM run to the next.
                    new TreeMap<>(Map.of("format", "pt", GENERATOR_KEY, GENERATOR, "seed", Long.toString(seed))))) {
                for (TensorSpec spec : layout.tensors()) writeTensor(w, spec, seed, pool, threads, progress);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void writeTensor(SafetensorsWriter w, TensorSpec spec, long seed, ExecutorService pool,
                                    int threads, LongConsumer progress) throws IOException {
        long n = spec.byteSize() / spec.dtype().byteSize();
        boolean vector = spec.shape().length == 1;
        long tensorSeed = SplitMix64.mix(seed ^ SplitMix64.mix(spec.name().hashCode()));
        Queue<Future<byte[]>> inFlight = new ArrayDeque<>();
        long chunks = (n + CHUNK - 1) / CHUNK;
        for (long c = 0; c < chunks; c++) {
            long chunk = c;
            int len = (int) Math.min(CHUNK, n - c * CHUNK);
            inFlight.add(pool.submit(() -> chunk(SplitMix64.mix(tensorSeed + chunk), len, vector)));
            // Bounded look-ahead: memory stays at a few chunks per thread whatever the tensor size.
            if (inFlight.size() >= 2 * threads) drainOne(w, inFlight, progress);
        }
        while (!inFlight.isEmpty()) drainOne(w, inFlight, progress);
    }

    private static void drainOne(SafetensorsWriter w, Queue<Future<byte[]>> inFlight, LongConsumer progress)
            throws IOException {
        byte[] bytes;
        try {
            bytes = inFlight.remove().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while generating");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        w.write(bytes, 0, bytes.length);
        progress.accept(bytes.length / 2);
    }

    /** One chunk as little-endian BF16. */
    static byte[] chunk(long seed, int len, boolean vector) {
        SplitMix64 rng = new SplitMix64(seed);
        byte[] out = new byte[2 * len];
        float mean = vector ? 1f : 0f, std = vector ? VECTOR_STD : MATRIX_STD;
        for (int i = 0; i < len; i++) {
            short h = FloatCodec.floatToBf16(mean + std * approxNormal(rng.nextLong()));
            out[2 * i] = (byte) h;
            out[2 * i + 1] = (byte) (h >>> 8);
        }
        return out;
    }

    /**
     * Irwin–Hall with four 16-bit uniforms from one 64-bit draw, rescaled to unit variance: close enough to a normal
     * for a benchmark, and about ten times cheaper than Box–Muller.
     */
    static float approxNormal(long r) {
        long sum = (r & 0xFFFF) + ((r >>> 16) & 0xFFFF) + ((r >>> 32) & 0xFFFF) + (r >>> 48);
        // sum/65536 has mean 2 and variance 4/12; sqrt(3) restores unit variance.
        return (float) ((sum * 0x1.0p-16 - 2.0) * 1.7320508075688772);
    }
}
