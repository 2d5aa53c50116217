package org.turboquant.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tq eval: weight-level error of a pack against the model it came from. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Per-tensor relative MSE, cosine, SNR (dB) and bits per weight of a pack against its source.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ORIGINAL") Path original;

    @Parameters(index = "1", paramLabel = "PACK") Path packDir;

    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.") boolean quiet;

    @Option(names = "--force", description = "Compare even when ORIGINAL is not the file the pack was made from "
            + "(its SHA-256 differs from the one the manifest records).") boolean force;

    @Option(names = "--no-verify", description = "Skip the SHA-256 check of each pack tensor.") boolean noVerify;

    /** Quantized rows decoded at a time (fewer for very long rows): memory is a few rows, not a tensor. */
    private static final int BAND_FLOATS = 1 << 16;

    /** Error figures of one tensor: relative MSE = ‖w − ŵ‖² / ‖w‖² = errorEnergy / signalEnergy. */
    record TensorError(String name, String method, double bitsPerWeight, long weights, double relativeMse,
                       double cosine, double snrDb, double errorEnergy, double signalEnergy) {}

    @Override
    public Integer call() throws Exception {
        List<TensorError> rows = evaluate(original, packDir, ConsoleProgress.create("eval", quiet || json), force,
                !noVerify);
        Totals t = totals(rows);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tensors", rows);
            out.put("summary", t);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            return 0;
        }
        String fmt = "%-48s %-10s %8s %11s %9s %8s%n";
        System.out.printf(Locale.ROOT, fmt, "tensor", "method", "bits/w", "rel. MSE", "cosine", "SNR dB");
        for (TensorError r : rows) {
            System.out.printf(Locale.ROOT, fmt, r.name(), r.method(), String.format(Locale.ROOT, "%.3f", r.bitsPerWeight()),
                    String.format(Locale.ROOT, "%.3e", r.relativeMse()), String.format(Locale.ROOT, "%.6f", r.cosine()),
                    String.format(Locale.ROOT, "%.2f", r.snrDb()));
        }
        System.out.printf(Locale.ROOT, "summary: %d quantized tensors, %d weights, relative MSE %.3e (energy-weighted), "
                        + "SNR %.2f dB, %.3f bits per weight%n", t.tensors(), t.weights(), t.relativeMse(), t.snrDb(),
                t.bitsPerWeight());
        return 0;
    }

    /** Running sums of one tensor's comparison. */
    private static final class Sums {
        double err, energy, dot, qq;

        void add(float[] w, float[] q, int n) {
            for (int i = 0; i < n; i++) {
                double d = w[i] - (double) q[i];
                err += d * d;
                energy += w[i] * (double) w[i];
                dot += w[i] * (double) q[i];
                qq += q[i] * (double) q[i];
            }
        }
    }

    /** Totals over the quantized tensors: errors and energies summed, so large tensors weigh in proportion. */
    record Totals(int tensors, long weights, double relativeMse, double snrDb, double bitsPerWeight) {}

    private static Totals totals(List<TensorError> rows) {
        double err = 0, energy = 0, bits = 0;
        long weights = 0;
        for (TensorError r : rows) {
            energy += r.signalEnergy();
            err += r.errorEnergy();
            bits += r.bitsPerWeight() * r.weights();
            weights += r.weights();
        }
        double rel = energy == 0 ? 0 : err / energy;
        return new Totals(rows.size(), weights, rel, -10 * Math.log10(rel), weights == 0 ? 0 : bits / weights);
    }

    static List<TensorError> evaluate(Path original, Path packDir, ProgressListener progress) throws Exception {
        return evaluate(original, packDir, progress, false, true);
    }

    /**
     * Streams every quantized tensor band by band against the source. {@code verify}: each pack tensor's SHA-256
     * first (kept ones too, so a corrupt pack never passes); {@code force}: even when ORIGINAL's SHA-256 is not the
     * one the manifest records.
     */
    static List<TensorError> evaluate(Path original, Path packDir, ProgressListener progress, boolean force,
                                      boolean verify) throws Exception {
        List<TensorError> rows = new ArrayList<>();
        try (TqPack pack = TqPack.open(packDir, TqPack.Options.defaults().verify(verify));
             TensorSource source = TensorSource.open(original)) {
            String recorded = pack.manifest().source().sha256();
            if (!force) {
                String actual = source.sha256();
                if (!actual.equals(recorded))
                    throw new BadInputException(original, null, "differs from the source the pack was made from ("
                            + pack.manifest().source().file() + ": sha256 " + recorded.substring(0, 12) + "…, this file "
                            + actual.substring(0, 12) + "…); use --force to compare anyway");
            }
            if (verify) for (TqTensor t : pack.tensors()) if (!t.quantized()) pack.verify(t.name());
            List<TqTensor> quantized = pack.tensors().stream().filter(TqTensor::quantized).toList();
            progress.start(quantized.stream().mapToLong(TqTensor::numel).sum());
            for (TqTensor t : quantized) {
                progress.tensor(t.name());
                SourceTensor s;
                try {
                    s = source.tensor(t.name());
                } catch (java.util.NoSuchElementException e) {
                    throw new BadInputException(original, t.name(), "in the pack but not in the original");
                }
                if (s.numel() != t.numel())
                    throw new BadInputException(original, t.name(), "has " + s.numel() + " elements, the pack " + t.numel());
                Sums sums = new Sums();
                int rowsQ = t.rows(), cols = t.cols();
                int band = Math.max(1, Math.min(rowsQ, BAND_FLOATS / Math.max(cols, 1)));
                float[] w = new float[band * cols], q = new float[band * cols];
                for (int r0 = 0; r0 < rowsQ; r0 += band) {
                    int k = Math.min(band, rowsQ - r0);
                    for (int i = 0; i < k; i++) t.row(r0 + i, q, i * cols);
                    if (!t.transposed()) {
                        source.readFloats(s, (long) r0 * cols, w, 0, k * cols);
                    } else { // the source is [cols, rows]: quantized row r is its column r
                        float[] run = new float[k];
                        for (int c = 0; c < cols; c++) {
                            source.readFloats(s, (long) c * rowsQ + r0, run, 0, k);
                            for (int i = 0; i < k; i++) w[i * cols + c] = run[i];
                        }
                    }
                    sums.add(w, q, k * cols);
                    progress.advance((long) k * cols);
                }
                double err = sums.err, energy = sums.energy;
                double rel = energy == 0 ? 0 : err / energy;
                double cos = energy == 0 || sums.qq == 0 ? (err == 0 ? 1 : 0) : sums.dot / Math.sqrt(energy * sums.qq);
                rows.add(new TensorError(t.name(), t.method().id(), t.bitsPerWeight(), t.numel(), rel, cos,
                        rel == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(rel), err, energy));
            }
            progress.finish();
        }
        return rows;
    }
}
