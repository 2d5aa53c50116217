package org.turboquant.loader.pack;

import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.TurboQuantKernels;

/**
 * A pack opened for use: the weights file memory-mapped, the manifest validated, every tensor ready to decode or
 * to multiply from. Immutable and thread-safe; {@link #close()} unmaps (tensors must not be used afterwards).
 *
 * <pre>{@code
 * try (TqPack pack = TqPack.open(Path.of("model-tq4"), TqPack.Options.defaults().threads(4))) {
 *     WeightMatrix w = pack.tensor("model.layers.0.mlp.down_proj.weight");
 *     w.warmUp();                   // JIT the kernels now, not on the first request
 *     w.matvec(x, y);               // y = W·x straight from the 4-bit codes
 * }
 * }</pre>
 */
public final class TqPack implements AutoCloseable {
    private final Path dir;
    private final Manifest manifest;
    private final SafetensorsFile weights;
    private final Map<String, TqTensor> tensors;
    /** The products' threads; closed with the pack when the pack created them. */
    private final ParallelMatmul pool;
    private final boolean ownsPool;

    private final Map<String, TensorChecksum> checks;

    private TqPack(Path dir, Manifest manifest, SafetensorsFile weights, Map<String, TqTensor> tensors,
                   Map<String, TensorChecksum> checks, ParallelMatmul pool, boolean ownsPool) {
        this.dir = dir;
        this.manifest = manifest;
        this.weights = weights;
        this.tensors = tensors;
        this.checks = checks;
        this.pool = pool;
        this.ownsPool = ownsPool;
    }

    /** The weights file's own metadata names the format and version: a corrupted header byte there is caught too. */
    private static void checkWeightsMetadata(SafetensorsFile weights, Manifest manifest) {
        Map<String, String> meta = weights.metadata();
        if (!Manifest.FORMAT.equals(meta.get("format")) || !Integer.toString(manifest.version()).equals(meta.get("version")))
            throw new BadInputException(weights.path(), null, "header metadata " + meta + " does not match the manifest ("
                    + Manifest.FORMAT + " v" + manifest.version() + "): the pack is corrupt");
    }

    /**
     * How a pack is opened. Immutable: {@link #defaults()}, then each setter returns a new Options, e.g.
     * {@code TqPack.Options.defaults().verify(false).threads(4)}.
     *
     * <ul>
     *   <li>{@code verify}: check each tensor's SHA-256 before its data is first used (default true). The check is
     *       lazy, per tensor, so opening stays fast; a mismatch throws {@link BadInputException} naming the tensor
     *       from that use and every later one. {@link TqPack#verify()} checks everything at once.</li>
     *   <li>{@code threads(n)}: products on n threads (the caller plus n − 1); default 0 = one per available
     *       processor, on a JVM-wide pool shared by every pack opened with the defaults.</li>
     *   <li>{@code executor(e)}: run the products' other row ranges on the caller's executor instead of a pool of
     *       the library's (with {@code threads} ranges per product, or one per available processor); the pack never
     *       shuts it down.</li>
     *   <li>{@code kernels(mode)}: which products multiply the 1/2/4-bit TurboQuant tensors: {@link KernelMode#FLOAT}
     *       (default; or -Dturboquant.intKernels), {@link KernelMode#INT8} (the integer-domain table kernels, on
     *       AVX-512 VBMI; a slightly different product, docs/RESULTS.md) or {@link KernelMode#AUTO} (int8 at 4 bits
     *       only, where it measured faster).</li>
     * </ul>
     */
    public static final class Options {
        private static final Options DEFAULTS = new Options(true, 0, null, null);

        private final boolean verify;
        private final int threads;
        private final ExecutorService executor;
        /** null: the JVM's default kernels (TurboQuantKernels.get()). */
        private final KernelMode kernels;

        private Options(boolean verify, int threads, ExecutorService executor, KernelMode kernels) {
            this.verify = verify;
            this.threads = threads;
            this.executor = executor;
            this.kernels = kernels;
        }

        public static Options defaults() { return DEFAULTS; }

        public Options verify(boolean on) { return new Options(on, threads, executor, kernels); }

        /** @throws IllegalArgumentException when threads is negative (0 = one per available processor) */
        public Options threads(int threads) {
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = all processors), got " + threads);
            return new Options(verify, threads, executor, kernels);
        }

        public Options executor(ExecutorService executor) {
            return new Options(verify, threads, Objects.requireNonNull(executor, "executor"), kernels);
        }

        /** Which products multiply the 1/2/4-bit TurboQuant tensors (see the class comment). */
        public Options kernels(KernelMode mode) {
            return new Options(verify, threads, executor, Objects.requireNonNull(mode, "kernels"));
        }

        /** The kernel mode asked for: {@link #kernels(KernelMode)}, else the JVM default's. */
        public KernelMode kernels() { return kernels != null ? kernels : TurboQuantKernels.get().mode(); }

        public boolean verify() { return verify; }

        public int threads() { return threads; }

        /** The caller's executor, or null. */
        public ExecutorService executor() { return executor; }

        /** The pool these options ask for. */
        private ParallelMatmul pool() {
            int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            ParallelMatmul pool = executor != null ? ParallelMatmul.on(executor, n)
                    : threads == 0 ? ParallelMatmul.shared() : ParallelMatmul.withThreads(n);
            return kernels == null ? pool : pool.withKernels(pool.kernels().withMode(kernels));
        }

        private boolean ownsPool() {
            return executor == null && threads != 0;
        }
    }

    /** Opens a pack directory with {@link Options#defaults()}: each tensor is verified on first use, all processors. */
    public static TqPack open(Path dir) throws IOException {
        return open(dir, Options.defaults());
    }

    /**
     * Opens a pack directory. With {@code verifyAll}, every tensor's SHA-256 is checked now (reads every byte);
     * without, as {@link #open(Path)}: each tensor is checked on first use. Skipping the checksums is never implied by
     * a boolean: it takes {@code open(dir, Options.defaults().verify(false))}. The structural checks of
     * {@link #open(Path, Options)} are made either way.
     */
    public static TqPack open(Path dir, boolean verifyAll) throws IOException {
        TqPack pack = open(dir, Options.defaults());
        if (verifyAll) {
            try {
                pack.verify();
            } catch (RuntimeException e) {
                pack.close();
                throw e;
            }
        }
        return pack;
    }

    /**
     * Opens a pack directory. Structural checks are always made, whatever {@link Options#verify()} says, and read
     * only the manifest and the weights file's header: the manifest's format, version and fields; the weights
     * header (length, JSON, metadata naming the same format and version, trailing padding); every part the manifest
     * names present with the dtype and shape its entry implies. {@link Options#verify()} governs only the SHA-256 of
     * the tensors' bytes, the one check that reads them.
     *
     * @throws BadInputException when the manifest or the weights file is malformed, names a missing part, is of an
     *                           unsupported format version; with {@link Options#verify()}, on first use of a tensor
     *                           whose checksum does not match
     */
    public static TqPack open(Path dir, Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        Manifest manifest = readManifest(dir);
        SafetensorsFile weights;
        try {
            weights = SafetensorsFile.open(dir.resolve(Manifest.WEIGHTS_FILE));
        } catch (NoSuchFileException e) {
            throw new BadInputException(dir, null, "not a pack: " + Manifest.WEIGHTS_FILE + " is missing");
        }
        ParallelMatmul pool = options.pool();
        try {
            checkWeightsMetadata(weights, manifest);
            HeaderPadding.check(weights);
            Map<String, TqTensor> tensors = new LinkedHashMap<>();
            Map<String, TensorChecksum> checks = new LinkedHashMap<>();
            Path manifestFile = dir.resolve(Manifest.FILE_NAME);
            for (Manifest.TensorEntry e : manifest.tensors()) {
                if (e == null || e.name() == null) throw new BadInputException(manifestFile, null, "a tensor has no name");
                if (tensors.containsKey(e.name())) throw new BadInputException(manifestFile, e.name(), "listed twice");
                try {
                    TensorChecksum check = options.verify() ? new TensorChecksum(weights, e) : TensorChecksum.OFF;
                    if (options.verify() && e.sha256() == null) throw new BadInputException(manifestFile, e.name(), "no sha256");
                    checks.put(e.name(), check);
                    tensors.put(e.name(), new TqTensor(e, weights, dir, pool, check));
                } catch (BadInputException bad) {
                    throw bad;
                } catch (RuntimeException invalid) { // a field out of range for the decoder (bits, block, seed, ...)
                    throw new BadInputException(manifestFile, e.name(), "invalid entry: " + invalid.getMessage());
                }
            }
            return new TqPack(dir, manifest, weights, Collections.unmodifiableMap(tensors), checks, pool,
                    options.ownsPool());
        } catch (IOException | RuntimeException e) {
            weights.close();
            if (options.ownsPool()) pool.close();
            throw e;
        }
    }

    /** Reads and checks {@value Manifest#FILE_NAME}: format name and version first, then the structure. */
    public static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(Manifest.FILE_NAME);
        if (!Files.exists(dir)) throw new BadInputException(dir, null, "no such file or directory");
        if (!Files.isDirectory(dir)) throw new BadInputException(dir, null, "not a pack directory");
        if (!Files.exists(file)) throw new BadInputException(dir, null, "not a pack: " + Manifest.FILE_NAME + " is missing");
        Manifest m;
        try {
            m = Manifest.JSON.readValue(file.toFile(), Manifest.class);
        } catch (JacksonException e) {
            throw new BadInputException(file, null, "invalid manifest: " + org.turboquant.loader.JsonErrors.describe(e));
        }
        if (m == null || !Manifest.FORMAT.equals(m.format()))
            throw new BadInputException(file, null, "not a " + Manifest.FORMAT + " manifest");
        if (m.version() < Manifest.VERSION || m.version() > Manifest.LATEST)
            throw new BadInputException(file, null, "unsupported format version " + m.version()
                    + " (this tool reads versions " + Manifest.VERSION + " to " + Manifest.LATEST + ")");
        if (m.tensors() == null) throw new BadInputException(file, null, "no tensor list");
        for (Manifest.TensorEntry e : m.tensors()) { // a layout an older reader would ignore and misread
            if (e == null || e.codeLayout() == null) continue;
            if (m.version() < Manifest.VERSION_CODE_LAYOUT)
                throw new BadInputException(file, e.name(), "code_layout needs format version "
                        + Manifest.VERSION_CODE_LAYOUT + ", the pack says " + m.version());
            if (!Method.TURBOQUANT.id().equals(e.method()))
                throw new BadInputException(file, e.name(), "code_layout is only defined for turboquant tensors");
        }
        if (m.source() == null || m.source().sha256() == null)
            throw new BadInputException(file, null, "no source description");
        if (m.totals() == null) throw new BadInputException(file, null, "no totals");
        return m;
    }

    /**
     * Recomputes every tensor's SHA-256 now, whatever {@link Options#verify()} says.
     *
     * @throws BadInputException naming the first tensor that differs
     */
    public void verify() {
        for (TqTensor t : tensors.values()) verify(t.name());
    }

    /**
     * Checks one tensor's SHA-256 now (with {@link Options#verify()}, at most once: later uses do not hash again).
     *
     * @throws BadInputException naming the tensor when it differs
     */
    public void verify(String name) {
        TensorChecksum check = checks.get(tensor(name).name());
        if (check == TensorChecksum.OFF) new TensorChecksum(weights, tensor(name).manifestEntry()).verifyOnce();
        else check.verifyOnce();
    }

    public Path path() { return dir; }

    public Manifest manifest() { return manifest; }

    /** Tensor names in manifest order (the source's order). */
    public List<String> names() { return List.copyOf(tensors.keySet()); }

    public TqTensor tensor(String name) {
        TqTensor t = tensors.get(name);
        if (t == null) throw new NoSuchElementException("no tensor '" + name + "' in " + dir);
        return t;
    }

    public List<TqTensor> tensors() { return List.copyOf(tensors.values()); }

    /** Bytes of the weights file. */
    public long weightsBytes() throws IOException { return Files.size(dir.resolve(Manifest.WEIGHTS_FILE)); }

    /** The stored bytes of a kept tensor, exactly as in the source (little-endian, its original dtype). */
    public MemorySegment rawKept(String name) {
        TqTensor t = tensor(name);
        if (t.quantized()) throw new IllegalArgumentException(name + " is quantized, not kept");
        checks.get(name).verifyOnce();
        return weights.segment(t.manifestEntry().parts().get("data"));
    }

    /** The threads this pack's products run on. */
    public ParallelMatmul pool() { return pool; }

    @Override
    public void close() {
        weights.close();
        if (ownsPool) pool.close();
    }
}
