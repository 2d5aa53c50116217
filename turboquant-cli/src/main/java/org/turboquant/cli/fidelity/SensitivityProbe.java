package org.turboquant.cli.fidelity;

import ai.onnxruntime.OrtException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much a sentence encoder's output moves per unit of weight error in each matrix, measured without data: the
 * model embeds synthetic token sequences (random word-piece ids between the tokenizer's own start and end tokens,
 * never the evaluation corpus) with its own weights, then with Gaussian noise of relative squared error
 * {@link #NOISE} (about the 4-bit error) injected into one matrix at a time; a matrix's sensitivity is the mean
 * 1 − cosine it causes divided by {@link #NOISE}. Normalised to mean 1 over the matrices, these weight each unit's
 * rank in the pack's budget ({@link Scheme.Budget#SENSITIVITY}).
 */
public final class SensitivityProbe {
    /** Relative squared error of the injected noise. */
    public static final double NOISE = 7.8e-3;
    static final int SEQUENCES = 96;
    static final int MIN_TOKENS = 6;
    static final int MAX_TOKENS = 40;
    /** Word-piece ids below this are padding, unused and special tokens in the BERT vocabularies raced here. */
    static final int FIRST_WORD_PIECE = 1000;
    static final long SEED = 42;

    private SensitivityProbe() {}

    /** Per matrix name, its sensitivity over the mean of all (mean 1). */
    public static Map<String, Double> measure(SentenceEmbedder embedder, InMemoryQuantizer quantizer, PrintStream log)
            throws OrtException {
        SentenceEmbedder.Tokens tokens = synthetic(embedder, quantizer.vocabularySize(), SEQUENCES, SEED);
        float[][] reference = embedder.embed(tokens);
        List<String> names = quantizer.matrixNames();
        Map<String, Double> raw = new LinkedHashMap<>();
        double total = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            float[][] noisy = embedder.embed(tokens, quantizer.withNoise(name, NOISE, SEED + 1 + i));
            double loss = 0;
            for (int k = 0; k < reference.length; k++) loss += 1 - FidelityMetrics.dot(reference[k], noisy[k]);
            double s = loss / reference.length / NOISE;
            raw.put(name, s);
            total += s;
        }
        double mean = total / names.size();
        Map<String, Double> out = new LinkedHashMap<>();
        raw.forEach((n, s) -> out.put(n, mean > 0 ? s / mean : 1.0));
        log.printf("sensitivity of %d matrices on %d synthetic sequences: %.1f s; mean (1 - cos) per unit of relative "
                + "error %.3g%n", names.size(), SEQUENCES, (System.nanoTime() - t0) / 1e9, mean);
        out.forEach((n, s) -> log.printf("  %-60s %.3f%n", n, s));
        return out;
    }

    /** Writes {@code weights} as {@code tq pack --rank-weights} reads them: one "name TAB weight" line per tensor. */
    public static void write(java.nio.file.Path file, Map<String, Double> weights) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        weights.forEach((n, w) -> sb.append(n).append('\t').append(w).append('\n'));
        java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        java.nio.file.Files.writeString(tmp, sb);
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a file {@link #write} wrote; a malformed line fails naming the file and the line. */
    public static Map<String, Double> read(java.nio.file.Path file) throws java.io.IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        List<String> lines = java.nio.file.Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int tab = line.lastIndexOf('\t');
            double w;
            try {
                if (tab <= 0) throw new NumberFormatException();
                w = Double.parseDouble(line.substring(tab + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 'TENSOR<TAB>WEIGHT', got '" + line + "'");
            }
            if (!(w >= 0) || !Double.isFinite(w))
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": weight " + w + " must be finite and >= 0");
            out.put(line.substring(0, tab).strip(), w);
        }
        return out;
    }

    /**
     * {@code count} sequences of {@value #MIN_TOKENS}..{@value #MAX_TOKENS} random word-piece ids in
     * [{@value #FIRST_WORD_PIECE}, vocabulary), each between the ids the tokenizer puts around an empty text (its
     * start token and the model's prefix, and its end token).
     */
    static SentenceEmbedder.Tokens synthetic(SentenceEmbedder embedder, int vocabulary, int count, long seed) {
        if (vocabulary <= FIRST_WORD_PIECE)
            throw new IllegalArgumentException("vocabulary of " + vocabulary + " word pieces is too small for the probe");
        long[] frame = embedder.tokenize(List.of("")).ids()[0];
        SplittableRandom random = new SplittableRandom(seed);
        long[][] ids = new long[count][], types = new long[count][], mask = new long[count][];
        for (int i = 0; i < count; i++) {
            int body = random.nextInt(MIN_TOKENS, MAX_TOKENS + 1);
            int n = Math.min(embedder.maxLength(), frame.length + body);
            long[] seq = new long[n];
            System.arraycopy(frame, 0, seq, 0, frame.length - 1);
            for (int j = frame.length - 1; j < n - 1; j++) seq[j] = random.nextInt(FIRST_WORD_PIECE, vocabulary);
            seq[n - 1] = frame[frame.length - 1];
            ids[i] = seq;
            types[i] = new long[n];
            mask[i] = new long[n];
            java.util.Arrays.fill(mask[i], 1);
        }
        return new SentenceEmbedder.Tokens(ids, types, mask);
    }
}
