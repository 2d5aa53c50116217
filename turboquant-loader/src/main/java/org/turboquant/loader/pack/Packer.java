package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.turboquant.loader.OutputExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.turboquant.core.BlockLayout;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;

/**
 * Packs a model: reads a .safetensors file, a checkpoint directory or an .onnx model, quantizes its matrices and
 * writes a pack directory ({@value Manifest#WEIGHTS_FILE} + {@value Manifest#FILE_NAME}).
 *
 * <p>Rows stream from the memory-mapped source in blocks, so heap use depends on the row length and the thread
 * count, not on tensor size. Output goes to a temporary directory beside the target and is renamed at the end
 * ({@link StagedOutput}): a failed or interrupted pack leaves nothing behind, and an existing pack it replaces stays
 * intact until the new one is complete.
 */
public final class Packer {
    /** Rows one task quantizes at a time: large enough to amortize scheduling, small enough for the heap. */
    private static final int ROWS_PER_TASK = 64;

    private Packer() {}

    /** Sizes and timing of a finished pack. */
    public record Summary(Path outDir, int tensors, int quantized, long weights, long packBytes, double bitsPerWeight,
                          double quantizedBitsPerWeight, double seconds) {}

    /**
     * Packs {@code input} into {@code outDir}.
     *
     * @param force replace {@code outDir} if it is a pack (or an empty directory); anything else there is refused
     * @throws OutputExistsException when {@code outDir} exists and may not be replaced
     */
    public static Summary pack(Path input, Path outDir, PackOptions options, boolean force, ProgressListener progress)
            throws IOException {
        refuseToReplaceInput(input, outDir.toAbsolutePath().normalize());
        checkOutput(outDir.toAbsolutePath().normalize(), force);
        try (TensorSource source = TensorSource.open(input)) {
            return pack(source, outDir, options, force, progress);
        }
    }

    /**
     * Packs an opened source (the caller may inspect its tensors first, e.g. to check name patterns). The output is
     * written beside {@code outDir} ({@link StagedOutput}) and moved into place at the end: a failed or interrupted
     * run leaves an existing pack as it was.
     *
     * @throws IllegalArgumentException when {@code --keep} or a {@code --bits-for} pattern matches no tensor
     */
    public static Summary pack(TensorSource source, Path outDir, PackOptions options, boolean force,
                               ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        Path target = outDir.toAbsolutePath().normalize();
        refuseToReplaceInput(source.path(), target);
        checkOutput(target, force);
        checkPatternsMatch(source, options);
        Path createdParent = TempDirs.firstMissing(target.getParent());
        boolean done = false;
        try (StagedOutput staged = StagedOutput.begin(target, progress::interrupted)) {
            Manifest manifest = new Packer.Run(source, options, progress).writeTo(staged.newDirectory());
            checkOutput(target, force); // nothing else appeared there meanwhile
            staged.commitDirectory();
            done = true;
            Manifest.Totals totals = manifest.totals();
            int quantized = (int) manifest.tensors().stream().filter(e -> !"kept".equals(e.method())).count();
            return new Summary(target, manifest.tensors().size(), quantized, totals.weights(), totals.packBytes(),
                    totals.bitsPerWeight(), totals.quantizedBitsPerWeight(), (System.nanoTime() - t0) / 1e9);
        } finally {
            if (!done && createdParent != null) TempDirs.deleteQuietly(createdParent);
        }
    }

    /**
     * An existing output may be replaced only with {@code force}, and only when it is a pack this tool wrote (a valid
     * manifest) or an empty directory: never a plain file or a directory of other things.
     */
    static void checkOutput(Path target, boolean force) throws IOException {
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!force)
            throw new OutputExistsException(target, "already exists (use --force to replace it)");
        if (!Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            throw new OutputExistsException(target, "exists and is not a directory; --force replaces only a pack");
        try (var entries = Files.list(target)) {
            if (entries.findAny().isEmpty()) return;
        }
        try {
            TqPack.readManifest(target);
        } catch (org.turboquant.loader.BadInputException notAPack) {
            throw new OutputExistsException(target, "exists and is not a pack (no valid "
                    + Manifest.FILE_NAME + "); --force replaces only a pack, so move or remove it yourself");
        }
    }

    /** A --keep or --bits-for pattern that matches no tensor is almost always a typo: refuse it, naming it. */
    static void checkPatternsMatch(TensorSource source, PackOptions options) {
        List<String> names = source.tensors().stream().map(SourceTensor::name).toList();
        if (options.keep() != null && names.stream().noneMatch(n -> options.keep().matcher(n).find()))
            throw new IllegalArgumentException("--keep '" + options.keep().pattern() + "' matches no tensor of "
                    + source.path());
        for (PackOptions.BitsRule r : options.bitsFor()) {
            if (names.stream().noneMatch(n -> r.pattern().matcher(n).find()))
                throw new IllegalArgumentException("--bits-for '" + r.label() + "': '" + r.pattern().pattern()
                        + "' matches no tensor of " + source.path());
        }
    }

    /** {@code --force} replaces OUTDIR: never when OUTDIR is the input or holds it. */
    private static void refuseToReplaceInput(Path input, Path target) throws IOException {
        if (!Files.exists(input) || !Files.exists(target)) return;
        Path in = input.toRealPath(), out = target.toRealPath();
        if (in.startsWith(out))
            throw new org.turboquant.loader.BadInputException(input, null,
                    "the output " + target + " is or contains the input; choose another output directory");
    }

    /** One packing run: plans, writes the weights file, then the manifest. */
    private static final class Run {
        private final TensorSource source;
        private final PackOptions options;
        private final ProgressListener progress;
        private final List<TensorPlan> plans = new ArrayList<>();
        private final List<TensorEncoder> encoders = new ArrayList<>(); // null for kept tensors
        private final int version; // fixed once planned: encoders are dropped as their tensors are written

        Run(TensorSource source, PackOptions options, ProgressListener progress) {
            this.source = source;
            this.options = options;
            this.progress = progress;
            for (SourceTensor t : source.tensors()) {
                boolean nonFinite = options.keepNonFinite() && t.dtype().isFloat() && NonFinite.any(source, t);
                plans.add(TensorPlan.decide(t, options, nonFinite));
            }
            Map<String, double[]> energies = resolveFractionalRates();
            for (int i = 0; i < plans.size(); i++) {
                TensorPlan plan = plans.get(i);
                TensorEncoder encoder = plan.quantized() ? plan.encoder(options, energies.remove(plan.source().name())) : null;
                // short rows are padded to 128 indices: a narrow matrix could come out bigger than it went in
                if (encoder != null && partBytes(encoder) >= plan.source().byteSize()) {
                    plans.set(i, TensorPlan.kept(plan.source(), "quantized would not be smaller"));
                    encoder = null;
                }
                encoders.add(encoder);
            }
            this.version = lowestVersion();
        }

        /**
         * Widths for the TurboQuant tensors whose --bits is a fractional rate, allocated over all of them
         * ({@link BitBudget}); returns the unit energies it measured, by tensor name, for the encoders to reuse.
         */
        private Map<String, double[]> resolveFractionalRates() {
            List<BitBudget.Tensor> budget = new ArrayList<>();
            Map<String, TensorPlan> byName = new java.util.HashMap<>();
            for (TensorPlan p : plans) {
                if (p.quantized() && p.widths() == null) {
                    BlockLayout blocks = BlockLayout.of(p.cols(), options.blockSize(), options.rotation());
                    budget.add(BitBudget.Tensor.asPacked(p.source().name(), p.rows(), blocks, p.lookup(), p.rate()));
                    byName.put(p.source().name(), p);
                }
            }
            for (String named : options.rankWeights().keySet()) // a weights file of another model must not pass silently
                if (!byName.containsKey(named))
                    throw new IllegalArgumentException("rank weights name " + named
                            + ", which is not a matrix packed at a fractional rate here");
            Map<String, double[]> energies = new java.util.HashMap<>();
            if (budget.isEmpty()) return energies;
            int scaleBits = 8 * options.normPrecision().bytes();
            Map<String, BitBudget.Widths> same = BitBudget.allocate(budget, scaleBits);
            Map<String, BitBudget.Tensor> tensors = new java.util.HashMap<>();
            for (BitBudget.Tensor t : budget) tensors.put(t.name(), t);
            Map<String, BitBudget.Widths> widths = BitBudget.rankAcrossTensors(budget, same, scaleBits, name -> {
                double[] e = new RowReader(source, byName.get(name)).unitEnergies(tensors.get(name).blocks());
                energies.put(name, e);
                return e;
            }, name -> options.rankWeights().getOrDefault(name, 1.0));
            plans.replaceAll(p -> p.quantized() && p.widths() == null ? p.withWidths(widths.get(p.source().name())) : p);
            return energies;
        }

        Manifest writeTo(Path dir) throws IOException {
            List<TensorSpec> specs = new ArrayList<>();
            long totalWeights = 0;
            for (int i = 0; i < plans.size(); i++) {
                TensorPlan p = plans.get(i);
                TensorEncoder e = encoders.get(i);
                if (e != null) specs.addAll(e.parts());
                else specs.add(TensorSpec.of(p.source().name(), p.source().dtype(), p.source().shape()));
                totalWeights += p.source().numel();
            }
            progress.start(totalWeights);
            List<Manifest.TensorEntry> entries = new ArrayList<>();
            long packBytes = 0, quantizedWeights = 0, quantizedBytes = 0;
            ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
                Thread t = new Thread(r, "turboquant-pack");
                t.setDaemon(true);
                return t;
            });
            try (SafetensorsWriter writer = SafetensorsWriter.create(dir.resolve(Manifest.WEIGHTS_FILE), specs,
                    new TreeMap<>(Map.of("format", Manifest.FORMAT, "version", Integer.toString(version()))))) {
                for (int i = 0; i < plans.size(); i++) {
                    TensorPlan plan = plans.get(i);
                    progress.tensor(plan.source().name());
                    Manifest.TensorEntry entry = entry(plan, encoders.get(i));
                    DigestingSink sink = new DigestingSink(writer, entry.decodeFields());
                    if (plan.quantized()) {
                        writeQuantized(plan, encoders.get(i), sink, pool);
                        quantizedWeights += plan.source().numel();
                        quantizedBytes += sink.bytes;
                    } else {
                        sink.write(source.raw(plan.source()));
                        progress.advance(plan.source().numel());
                    }
                    packBytes += sink.bytes;
                    entries.add(entry.withSha256(sink.hex()));
                    encoders.set(i, null); // its scales (and, through the cache, its rotation) may go now
                }
            } finally {
                pool.shutdownNow();
            }
            progress.finish();
            Manifest.Totals totals = new Manifest.Totals(totalWeights, quantizedWeights, packBytes,
                    bitsPerWeight(packBytes, totalWeights), bitsPerWeight(quantizedBytes, quantizedWeights));
            Manifest manifest = new Manifest(Manifest.FORMAT, version(), ToolVersion.get(),
                    new Manifest.SourceInfo(source.path().getFileName().toString(), source.sha256(), totalWeights,
                            sourceBytes(), source.metadata().isEmpty() ? null : new TreeMap<>(source.metadata())),
                    optionsMap(), totals, entries);
            Manifest.JSON.writeValue(dir.resolve(Manifest.FILE_NAME).toFile(), manifest);
            return manifest;
        }

        /**
         * 3 when a tensor's codes are grouped, else 2 when a tensor mixes widths, else 1: the lowest version that
         * describes the pack, so that older readers refuse it instead of misreading it.
         */
        private int version() {
            return version;
        }

        private int lowestVersion() {
            if (encoders.stream().anyMatch(Run::grouped)) return Manifest.VERSION_CODE_LAYOUT;
            boolean mixed = plans.stream().anyMatch(p -> p.quantized() && p.method() == Method.TURBOQUANT && p.widths().mixed());
            return mixed ? Manifest.VERSION_MIXED : Manifest.VERSION;
        }

        private static boolean grouped(TensorEncoder e) {
            return codeLayout(e) != null && codeLayout(e) != org.turboquant.core.CodeLayout.ROWS;
        }

        /** A TurboQuant encoder's code order; null for other methods. */
        private static org.turboquant.core.CodeLayout codeLayout(TensorEncoder e) {
            return e instanceof TurboQuantEncoder u ? u.codeLayout()
                    : e instanceof MixedTurboQuantEncoder m ? m.codeLayout() : null;
        }

        private void writeQuantized(TensorPlan plan, TensorEncoder encoder, DigestingSink sink, ExecutorService pool)
                throws IOException {
            RowReader reader = new RowReader(source, plan);
            encoder.prepare(reader);
            int rows = plan.rows(), cols = plan.cols();
            int tasks = options.threads();
            for (int batch = 0; batch < rows; batch += tasks * ROWS_PER_TASK) {
                List<Future<MemorySegment>> parts = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    int first = batch + t * ROWS_PER_TASK;
                    if (first >= rows) break;
                    int n = Math.min(ROWS_PER_TASK, rows - first);
                    Callable<MemorySegment> task = () -> encodeRows(plan, encoder, reader, first, n, cols);
                    parts.add(pool.submit(task));
                }
                for (int t = 0; t < parts.size(); t++) {
                    sink.write(await(parts.get(t)));
                    int first = batch + t * ROWS_PER_TASK;
                    progress.advance((long) Math.min(ROWS_PER_TASK, rows - first) * cols);
                }
            }
            encoder.writeSecondaryParts(sink);
        }

        private MemorySegment encodeRows(TensorPlan plan, TensorEncoder encoder, RowReader reader, int first, int n,
                                         int cols) {
            float[] rowsBuf = new float[n * cols];
            reader.read(first, n, rowsBuf);
            NonFinite.check(rowsBuf, first, cols, source.path(), plan.source().name());
            MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(encoder.primaryBytes(first, n))]);
            encoder.encodeRows(rowsBuf, first, n, out);
            return out;
        }

        private static MemorySegment await(Future<MemorySegment> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while packing");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error err) throw err;
                throw new IOException(c);
            }
        }

        /** The manifest entry of a plan, without its checksum (known once the parts are written). */
        private Manifest.TensorEntry entry(TensorPlan plan, TensorEncoder encoder) {
            SourceTensor t = plan.source();
            if (!plan.quantized()) {
                return new Manifest.TensorEntry(t.name(), t.dtype().id(), t.shape(), Method.KEPT.id(), null, null,
                        null, null, null, null, plan.transposed(), plan.rows(), plan.cols(), Map.of("data", t.name()), null,
                        bitsPerWeight(t.byteSize(), t.numel()), plan.keptReason(), null, null, null);
            }
            double bpw = bitsPerWeight(partBytes(encoder), t.numel());
            Map<String, String> parts = new TreeMap<>();
            for (int i = 0; i < encoder.parts().size(); i++) parts.put(encoder.roles().get(i), encoder.parts().get(i).name());
            boolean tq = plan.method() == Method.TURBOQUANT;
            var cfg = options.quantConfig(t.name(), plan.bits());
            boolean mixed = tq && plan.widths().mixed();
            Integer block = tq ? BlockLayout.of(plan.cols(), cfg.blockSize(), cfg.rotation()).blockSize() : null;
            return new Manifest.TensorEntry(t.name(), t.dtype().id(), t.shape(), plan.method().id(),
                    plan.method().fixedBits() != null ? plan.method().fixedBits() : plan.bits(),
                    tq ? block : plan.method().fixedBlock(),
                    tq ? cfg.rotation().id() : null, tq ? HexFormat.of().toHexDigits(cfg.seed()) : null,
                    tq ? cfg.normPrecision().id() : (plan.method() == Method.RTN ? "f32" : "f16"),
                    tq ? cfg.normCorrection() : null, plan.transposed(), plan.rows(), plan.cols(), parts, null,
                    bpw, null, mixed ? plan.widths().wideBits() : null, mixed ? plan.widths().wideUnits() : null,
                    codeLayoutField(encoder));
        }

        /**
         * The manifest's code_layout: version 3 names every uniform TurboQuant tensor's code order, and a mixed-width
         * tensor's when it is grouped (a mixed tensor in row order carries none, as in version 2, so readers that
         * know only row-order mixed tensors still take it); older versions have row order only.
         */
        private String codeLayoutField(TensorEncoder encoder) {
            if (version() != Manifest.VERSION_CODE_LAYOUT) return null;
            if (encoder instanceof TurboQuantEncoder u) return u.codeLayout().id();
            if (encoder instanceof MixedTurboQuantEncoder m && m.codeLayout() != org.turboquant.core.CodeLayout.ROWS)
                return m.codeLayout().id();
            return null;
        }

        private Map<String, Object> optionsMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", options.method().id());
            m.put("bits", PackOptions.fractional(options.bits()) ? options.bits() : (Object) (int) options.bits());
            m.put("block", options.blockSize() == BlockLayout.WHOLE_ROW ? "row" : Integer.toString(options.blockSize()));
            m.put("rotation", options.rotation().id());
            m.put("seed", options.seed());
            m.put("norm", options.normPrecision().id());
            m.put("norm_correction", options.normCorrection());
            m.put("scale_search", options.scaleSearch() && !options.normCorrection());
            m.put("keep", options.keep() == null ? null : options.keep().pattern());
            m.put("bits_for", options.bitsFor().stream().map(PackOptions.BitsRule::label).toList());
            m.put("min_elements", options.minElements());
            m.put("keep_non_finite", options.keepNonFinite());
            return m;
        }

        private long sourceBytes() {
            long b = 0;
            for (SourceTensor t : source.tensors()) b += t.byteSize();
            return b;
        }
    }

    private static long partBytes(TensorEncoder encoder) {
        long b = 0;
        for (TensorSpec spec : encoder.parts()) b += spec.byteSize();
        return b;
    }

    static double bitsPerWeight(long bytes, long weights) {
        return weights == 0 ? 0 : Math.round(8.0 * bytes / weights * 1e6) / 1e6;
    }

    /** Writes parts to the weights file and hashes them, per tensor. */
    private static final class DigestingSink implements TensorEncoder.PartSink {
        private final SafetensorsWriter writer;
        private final MessageDigest digest = Sha256s.newDigest();
        long bytes;

        DigestingSink(SafetensorsWriter writer, byte[] decodeFields) {
            this.writer = writer;
            digest.update(decodeFields);
        }

        @Override
        public void write(MemorySegment seg) throws IOException {
            writer.write(seg);
            Sha256s.update(digest, seg);
            bytes += seg.byteSize();
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
