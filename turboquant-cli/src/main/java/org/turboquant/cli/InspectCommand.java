package org.turboquant.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.turboquant.loader.pack.Manifest;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tq inspect: what a pack holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List a pack's tensors: method, bits, block, bits per weight, sizes, code layout; --verify checks every checksum.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PACK") Path packDir;

    @Option(names = "--verify", description = "Check every tensor's SHA-256.") boolean verify;

    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Override
    public Integer call() throws Exception {
        try (TqPack pack = TqPack.open(packDir, verify)) {
            Manifest m = pack.manifest();
            Manifest.Totals totals = m.totals();
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("format", m.format());
                out.put("version", m.version());
                out.put("tool", m.tool());
                out.put("source", m.source());
                out.put("totals", totals);
                out.put("verified", verify);
                out.put("tensors", m.tensors());
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
                return 0;
            }
            System.out.printf(Locale.ROOT, "%s: %s v%d by %s, from %s (sha256 %s…)%n", packDir, m.format(), m.version(),
                    m.tool(), m.source().file(), m.source().sha256().substring(0, 12));
            String fmt = "%-48s %-10s %9s %6s %-8s %-16s %8s %11s  %s%n";
            System.out.printf(Locale.ROOT, fmt, "tensor", "method", "bits", "block", "rotation", "shape", "bits/w", "bytes",
                    "layout");
            for (TqTensor t : pack.tensors()) {
                Manifest.TensorEntry e = t.manifestEntry();
                System.out.printf(Locale.ROOT, fmt, e.name(), e.method() + (e.transposed() ? "ᵀ" : ""),
                        widths(e), e.blockSize() == null ? "-" : e.blockSize(),
                        e.rotation() == null ? "-" : e.rotation(), Arrays.toString(e.shape()),
                        String.format(Locale.ROOT, "%.3f", e.bitsPerWeight()),
                        Sizes.human(Math.round(e.bitsPerWeight() * t.numel() / 8)), layout(e));
            }
            List<Manifest.TensorEntry> kept = m.tensors().stream().filter(e -> e.keptReason() != null).toList();
            System.out.printf(Locale.ROOT, "%d tensors, %d quantized, %d kept; %s of weights; %.3f bits per weight overall, "
                            + "%.3f over quantized tensors (ᵀ: quantized as the transpose)%s%n",
                    m.tensors().size(), m.tensors().size() - kept.size(), kept.size(), Sizes.human(totals.packBytes()),
                    totals.bitsPerWeight(), totals.quantizedBitsPerWeight(), verify ? "; all checksums verified" : "");
            return 0;
        }
    }

    /**
     * The order of a TurboQuant tensor's codes (docs/FORMAT.md §19): the manifest's code_layout, else "rows" (what an
     * absent field means); "-" for other methods.
     */
    static String layout(Manifest.TensorEntry e) {
        if (!"turboquant".equals(e.method())) return "-";
        return e.codeLayout() == null ? "rows" : e.codeLayout();
    }

    /** "4", or for a mixed-width tensor "4/5 23%": narrow/wide and the share of wide allocation units (never 0/100%). */
    static String widths(Manifest.TensorEntry e) {
        if (e.bits() == null) return "-";
        if (!e.mixed()) return Integer.toString(e.bits());
        var blocks = org.turboquant.core.BlockLayout.of(e.cols(), e.blockSize(),
                org.turboquant.core.RotationKind.parse(e.rotation()));
        long units = (long) e.rows() * org.turboquant.core.MixedLayout.unitsPerRow(blocks);
        double percent = 100.0 * e.wideUnits() / units;
        return e.bits() + "/" + e.wideBits() + " " + (percent < 1 ? "<1" : percent > 99 && percent < 100 ? ">99"
                : Long.toString(Math.round(percent))) + "%";
    }
}
