package org.turboquant.bench.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.turboquant.cli.fidelity.JavaEmbedder;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.runtime.BertEncoder;
import org.turboquant.runtime.ForwardPhases;
import org.turboquant.simd.ParallelMatmul;

/**
 * Where the time of the Java runtime's forward goes: the built-in corpus embedded one text per call (batch 1, as
 * bench/embed-race.sh's batch-1 rows), {@code passes} times, the last pass timed phase by phase
 * ({@link ForwardPhases}) and, with {@code -Dturboquant.parallelStats=true}, the pool's hand-off figures
 * ({@link ParallelMatmul#handOffStats}). Run by bench/forward-phases.sh, which puts the CLI's jars (tokenizer) on the
 * class path:
 * <pre>
 * ForwardPhaseBreakdown MODEL.onnx TOKENIZER.json PACK THREADS [PASSES=3] [BATCH=1]
 * </pre>
 */
public final class ForwardPhaseBreakdown {
    private ForwardPhaseBreakdown() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ForwardPhaseBreakdown MODEL.onnx TOKENIZER.json PACK THREADS [PASSES] [BATCH]");
            System.exit(2);
        }
        Path onnx = Path.of(args[0]), tokenizer = Path.of(args[1]), packDir = Path.of(args[2]);
        int threads = Integer.parseInt(args[3]);
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 3, batch = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        List<String> texts = TextCorpus.builtIn();
        SentenceEmbedder.Tokens tokens;
        try (SentenceEmbedder tok = new SentenceEmbedder(onnx, tokenizer, Pooling.MEAN, SentenceEmbedder.DEFAULT_MAX_LENGTH)) {
            tokens = tok.tokenize(texts);
        }
        long tokenCount = 0;
        for (long[] m : tokens.mask()) for (long v : m) tokenCount += v;
        try (TqPack pack = TqPack.open(packDir, TqPack.Options.defaults().threads(threads))) {
            BertEncoder encoder = JavaEmbedder.encoder(onnx, pack, Pooling.MEAN);
            encoder.warmUp();
            ForwardPhases phases = new ForwardPhases();
            long wall = 0;
            for (int p = 0; p < passes; p++) {
                phases.reset();
                ParallelMatmul.resetHandOffStats();
                long t0 = System.nanoTime();
                embedAll(encoder, tokens, batch, phases);
                wall = System.nanoTime() - t0;
            }
            report(texts.size(), tokenCount, threads, batch, wall, phases, ParallelMatmul.handOffStats());
        }
    }

    private static void embedAll(BertEncoder encoder, SentenceEmbedder.Tokens t, int batch, ForwardPhases phases) {
        int n = t.ids().length;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int[][] ids = new int[b][], types = new int[b][], mask = new int[b][];
            for (int k = 0; k < b; k++) {
                ids[k] = ints(t.ids()[start + k]);
                types[k] = ints(t.typeIds()[start + k]);
                mask[k] = ints(t.mask()[start + k]);
            }
            encoder.embed(ids, types, mask, phases);
        }
    }

    private static void report(int texts, long tokens, int threads, int batch, long wall, ForwardPhases phases,
                               ParallelMatmul.HandOffStats h) {
        System.out.printf(Locale.ROOT, "# %d texts (%.1f tokens each), batch %d, %d threads: %.1f texts/s, %.3f ms per call%n",
                texts, (double) tokens / texts, batch, threads, texts / (wall / 1e9), wall / 1e6 / phases.calls());
        System.out.println("| phase | ms per text | share |");
        System.out.println("|---|---:|---:|");
        long timed = 0;
        for (long v : phases.nanos().values()) timed += v;
        for (Map.Entry<ForwardPhases.Phase, Long> e : phases.nanos().entrySet())
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.1f%% |%n", e.getKey().name().toLowerCase(Locale.ROOT),
                    e.getValue() / 1e6 / texts, 100.0 * e.getValue() / timed);
        System.out.printf(Locale.ROOT, "| (outside the forward: batching, checks) | %.3f | |%n", (wall - timed) / 1e6 / texts);
        if (h.splitCalls() > 0) {
            System.out.printf(Locale.ROOT, "# pool: %.1f split calls per text; ranges run by the caller %d, by the worker %d; "
                            + "caller waiting for the worker %.3f ms per text (%.1f us per call); worker starts %.1f us "
                            + "after the call (mean of %d)%n",
                    (double) h.splitCalls() / texts, h.callerRanges(), h.workerRanges(),
                    h.callerWaitNanos() / 1e6 / texts, h.callerWaitNanos() / 1e3 / h.splitCalls(),
                    h.handOffs() == 0 ? 0 : h.handOffNanos() / 1e3 / h.handOffs(), h.handOffs());
        }
    }

    private static int[] ints(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.toIntExact(v[i]);
        return out;
    }
}
