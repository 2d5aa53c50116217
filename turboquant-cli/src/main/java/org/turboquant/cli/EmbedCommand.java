package org.turboquant.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import org.turboquant.cli.fidelity.JavaEmbedder;
import org.turboquant.cli.fidelity.PackOverrides;
import org.turboquant.cli.fidelity.WeightOverrides;
import org.turboquant.cli.fidelity.NpyWriter;
import org.turboquant.cli.fidelity.Pooling;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.pack.Manifest;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.runtime.BertEncoder;
import org.turboquant.runtime.BertLayout;
import org.turboquant.runtime.HfBertCheckpoint;
import org.turboquant.runtime.OnnxBertGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tq embed: sentence vectors from the Java runtime, on a pack's codes or on the model's own FP32 weights. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed each line of a text file with the Java runtime (turboquant-runtime): every matrix "
                + "product on the pack's fused kernels, or on the model's FP32 weights when no PACK is given.",
                "The model is a built-in one (--model minilm|bge-small|e5-small|bge-small-v1|bge-small-zh, default minilm), an ONNX file "
                        + "(MODEL.onnx), or a Hugging Face BERT checkpoint directory with config.json, "
                        + "model.safetensors and tokenizer.json (--model DIR). The pack must have been made from that "
                        + "model (tq pack MODEL.onnx or tq pack DIR).",
                "Output: one JSON line per text on stdout, {\"text\": ..., \"embedding\": [...]} (the default), or "
                        + "with --out FILE.npy a float32 NumPy array [texts, dimension] in input order. Speed goes "
                        + "to stderr."})
public final class EmbedCommand implements Callable<Integer> {

    @Parameters(arity = "0..2", paramLabel = "[MODEL.onnx] [PACK]", hideParamSyntax = true,
            description = "The ONNX model (default: --model), then the pack; a single directory holding "
                    + Manifest.FILE_NAME + " is the pack, a single .onnx file the model.")
    List<Path> paths = List.of();

    @Option(names = "--model", paramLabel = "NAME|DIR",
            description = "A built-in model (minilm, bge-small, e5-small, bge-small-v1, bge-small-zh) or a Hugging Face BERT checkpoint directory.")
    String model;

    @Option(names = "--texts", required = true, paramLabel = "FILE",
            description = "One text per line; blank lines and lines starting with # are skipped.")
    Path texts;

    @Option(names = "--json", description = "JSON lines on stdout (the default unless --out is given).") boolean json;

    @Option(names = "--out", paramLabel = "FILE.npy", description = "Write a float32 .npy array instead of JSON lines.")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "TOKENIZER.json", description = "Hugging Face tokenizer (default: the model's).")
    Path tokenizer;

    @Option(names = "--pooling", paramLabel = "mean|cls", description = "Pooling (default: the model's; mean for a checkpoint).")
    String pooling;

    @Option(names = "--max-length", paramLabel = "N", description = "Tokens per text (default: the model's).")
    Integer maxLength;

    @Option(names = "--prefix", paramLabel = "TEXT", description = "Prepended to every text (default: the model's).")
    String prefix;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Texts per encoder call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--engine", defaultValue = "java", paramLabel = "java|ort",
            description = {"What embeds: 'java' (default) the Java runtime; 'ort' ONNX Runtime on the ONNX model "
                    + "(a pack's dequantized weights when PACK is given), the yardstick of bench/embed-race.sh."})
    String engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads of the products (java) or ONNX Runtime's intra-op threads (ort); default: one per "
                    + "available processor.")
    Integer threads;

    @Option(names = "--passes", defaultValue = "1", paramLabel = "N",
            description = "Embed all texts N times and report each pass's speed; later passes run warm (default "
                    + "${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--kernels", paramLabel = "float|int8|auto",
            description = {"Which products multiply a pack's 1/2/4-bit TurboQuant tensors (--engine java): 'float' "
                    + "the float look-up tables (the default; -Dturboquant.intKernels sets another), 'int8' the "
                    + "integer-domain table kernels (AVX-512 VBMI; a slightly different product, docs/RESULTS.md), "
                    + "'auto' int8 where it measured faster (4 bits)."})
    String kernels;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where a built-in model is extracted.")
    Path cache;

    @Option(names = "--no-verify", description = "Skip the SHA-256 check of each pack tensor.") boolean noVerify;

    @Override
    public Integer call() throws Exception {
        if (json && out != null) throw new IllegalArgumentException("--json and --out: choose one output");
        if (batch < 1) throw new IllegalArgumentException("--batch " + batch + ": must be at least 1");
        if (passes < 1) throw new IllegalArgumentException("--passes " + passes + ": must be at least 1");
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
        boolean ort = switch (engine.strip().toLowerCase(Locale.ROOT)) {
            case "java" -> false;
            case "ort" -> true;
            default -> throw new IllegalArgumentException("--engine " + engine + ": expected java or ort");
        };
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (out != null && !out.getFileName().toString().endsWith(".npy"))
            throw new IllegalArgumentException("--out " + out + ": the output is a NumPy array, name it *.npy");
        List<String> lines = TextCorpus.read(texts);
        if (lines.isEmpty()) throw new IllegalArgumentException(texts + ": no texts");
        Path onnx = null, packDir = null;
        if (paths.size() > 2) throw new IllegalArgumentException("at most two paths: [MODEL.onnx] [PACK]");
        if (paths.size() == 2) {
            onnx = paths.get(0);
            packDir = paths.get(1);
        } else if (paths.size() == 1) {
            if (Files.isRegularFile(paths.getFirst().resolve(Manifest.FILE_NAME))) packDir = paths.getFirst();
            else onnx = paths.getFirst();
        }
        if (onnx != null && !Files.isRegularFile(onnx)) throw new IllegalArgumentException(onnx + ": no such ONNX file");
        if (packDir != null && !Files.isRegularFile(packDir.resolve(Manifest.FILE_NAME)))
            throw new IllegalArgumentException(packDir + ": not a pack (no " + Manifest.FILE_NAME + ")");
        Path checkpoint = model != null && Files.isDirectory(Path.of(model)) ? Path.of(model) : null;
        if (checkpoint != null && onnx != null) throw new IllegalArgumentException("both a checkpoint (--model) and an ONNX file");
        if (checkpoint != null && !HfBertCheckpoint.isCheckpoint(checkpoint))
            throw new IllegalArgumentException("--model " + model + ": a directory without " + HfBertCheckpoint.CONFIG);
        if (checkpoint != null && ort) throw new IllegalArgumentException("--engine ort runs ONNX models, not a checkpoint");

        long t0 = System.nanoTime();
        float[][] vectors = null;
        TqPack.Options options = TqPack.Options.defaults().verify(!noVerify).threads(threads != null ? threads : 0);
        if (kernels != null) {
            if (ort) throw new IllegalArgumentException("--kernels chooses the Java runtime's kernels; it does not apply to --engine ort");
            if (packDir == null) throw new IllegalArgumentException("--kernels chooses how a pack's codes are multiplied; give a PACK");
            options = options.kernels(KernelChoice.parse("--kernels", kernels));
        }
        TqPack pack = packDir == null ? null : TqPack.open(packDir, options);
        try (SentenceEmbedder tok = tokenizerFor(checkpoint, onnx)) {
            SentenceEmbedder.Tokens tokens = tok.tokenize(lines);
            Passes timed;
            if (ort) {
                try (SentenceEmbedder.Session session = tok.open(
                        pack == null ? WeightOverrides.none() : PackOverrides.of(pack), nThreads)) {
                    timed = Passes.run(passes, t0, () -> session.embed(tokens, batch));
                }
            } else {
                BertEncoder encoder = encoder(checkpoint, onnx, pack, tok.pooling());
                // Products not on a pack's pool (FP32 weights) split over the common fork-join pool unless run
                // inside another one: this pool holds them to --threads.
                try (ForkJoinPool fj = new ForkJoinPool(nThreads)) {
                    timed = Passes.run(passes, t0, () -> fj.submit(() -> JavaEmbedder.embed(encoder, tokens, batch)).get());
                }
            }
            vectors = timed.vectors();
            String peak = PeakRss.describe();
            for (int p = 0; p < passes; p++)
                System.err.printf(Locale.ROOT, "tq embed: %d texts, dimension %d, %s, %s, batch %d, %d threads, "
                                + "pass %d: %.1f texts/s (%.2f s; loading %.2f s)%s%n",
                        lines.size(), vectors[0].length, ort ? "ort" : pack == null ? "java" : "java, kernels "
                                + options.kernels().id(),
                        pack == null ? (ort ? "the model's weights" : "FP32 weights") : "pack " + packDir, batch, nThreads, p + 1,
                        lines.size() / (timed.nanos()[p] / 1e9), timed.nanos()[p] / 1e9, timed.loadingNanos() / 1e9,
                        p == passes - 1 ? peak : "");
        } finally {
            if (pack != null) pack.close();
        }
        int dim = vectors[0].length;
        if (out != null) NpyWriter.write(out, vectors, dim);
        else writeJsonLines(System.out, lines, vectors);
        return 0;
    }

    private BertEncoder encoder(Path checkpoint, Path onnx, TqPack pack, Pooling pool) throws IOException {
        if (checkpoint != null)
            return pack == null ? HfBertCheckpoint.encoder(checkpoint, JavaEmbedder.pooling(pool))
                    : BertEncoder.fromPack(HfBertCheckpoint.layout(checkpoint, pack.names()), pack, JavaEmbedder.pooling(pool));
        Path file = modelFile(onnx);
        if (pack == null) return BertEncoder.fromOnnx(file, JavaEmbedder.pooling(pool));
        BertLayout layout;
        try (OnnxModel graph = OnnxModel.open(file)) {
            layout = OnnxBertGraph.map(graph);
        }
        return BertEncoder.fromPack(layout, pack, JavaEmbedder.pooling(pool));
    }

    /** The tokenizer (and pooling, length, prefix defaults) of the chosen model. */
    private SentenceEmbedder tokenizerFor(Path checkpoint, Path onnx) throws IOException {
        if (checkpoint == null) return choice(onnx).embedder(pooling, maxLength, prefix);
        Path tok = tokenizer != null ? tokenizer : checkpoint.resolve("tokenizer.json");
        if (!Files.isRegularFile(tok))
            throw new IllegalArgumentException(checkpoint + ": no tokenizer.json (use --tokenizer)");
        // The checkpoint has no ONNX file: the embedder only tokenizes here, the runtime embeds.
        return new SentenceEmbedder(checkpoint, tok, pooling != null ? Pooling.parse(pooling) : Pooling.MEAN,
                maxLength != null ? maxLength : 512, prefix != null ? prefix : "");
    }

    private ModelChoice choice(Path onnx) throws IOException {
        return ModelChoice.resolve(model, onnx, tokenizer, cache);
    }

    private Path modelFile(Path onnx) throws IOException {
        return onnx != null ? onnx : choice(null).files().model();
    }

    static void writeJsonLines(PrintStream out, List<String> lines, float[][] vectors) throws IOException {
        JsonFactory f = new JsonFactory();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            java.io.StringWriter w = new java.io.StringWriter();
            try (JsonGenerator g = f.createGenerator(w)) {
                g.writeStartObject();
                g.writeStringField("text", lines.get(i));
                g.writeArrayFieldStart("embedding");
                for (float v : vectors[i]) g.writeNumber(v);
                g.writeEndArray();
                g.writeEndObject();
            }
            sb.append(w).append('\n');
            if (sb.length() > 1 << 16) {
                out.print(sb);
                sb.setLength(0);
            }
        }
        out.print(sb);
        out.flush();
    }
}
