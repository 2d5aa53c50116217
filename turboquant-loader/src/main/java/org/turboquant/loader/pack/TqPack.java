package org.turboquant.loader.pack;

import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.simd.ParallelMatmul;

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

    private TqPack(Path dir, Manifest manifest, SafetensorsFile weights, Map<String, TqTensor> tensors,
                   ParallelMatmul pool, boolean ownsPool) {
        this.dir = dir;
        this.manifest = manifest;
        this.weights = weights;
        this.tensors = tensors;
        this.pool = pool;
        this.ownsPool = ownsPool;
    }

    /**
     * How a pack is opened. Immutable: each setter returns a new Options.
     *
     * <ul>
     *   <li>{@code verify}: check every tensor's SHA-256 before use (reads every byte); default off.</li>
     *   <li>{@code threads(n)}: products on n threads (the caller plus n − 1); default 0 = one per available
     *       processor, on a JVM-wide pool shared by every pack opened with the defaults.</li>
     *   <li>{@code executor(e)}: run the products' other row ranges on the caller's executor instead of a pool of
     *       the library's (with {@code threads} ranges per product, or one per available processor); the pack never
     *       shuts it down.</li>
     * </ul>
     */
    public static final class Options {
        private static final Options DEFAULTS = new Options(false, 0, null);

        private final boolean verify;
        private final int threads;
        private final ExecutorService executor;

        private Options(boolean verify, int threads, ExecutorService executor) {
            this.verify = verify;
            this.threads = threads;
            this.executor = executor;
        }

        public static Options defaults() { return DEFAULTS; }

        public Options verify(boolean verify) { return new Options(verify, threads, executor); }

        /** @throws IllegalArgumentException when threads is negative (0 = one per available processor) */
        public Options threads(int threads) {
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = all processors), got " + threads);
            return new Options(verify, threads, executor);
        }

        public Options executor(ExecutorService executor) {
            return new Options(verify, threads, Objects.requireNonNull(executor, "executor"));
        }

        public boolean verify() { return verify; }

        public int threads() { return threads; }

        /** The caller's executor, or null. */
        public ExecutorService executor() { return executor; }

        /** The pool these options ask for. */
        private ParallelMatmul pool() {
            int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            if (executor != null) return ParallelMatmul.on(executor, n);
            return threads == 0 ? ParallelMatmul.shared() : ParallelMatmul.withThreads(n);
        }

        private boolean ownsPool() {
            return executor == null && threads != 0;
        }
    }

    /** Opens a pack directory with the {@link Options#defaults() defaults} (no checksums, all processors). */
    public static TqPack open(Path dir) throws IOException {
        return open(dir, Options.defaults());
    }

    /** {@link #open(Path, Options)} with defaults but {@code verify}. */
    public static TqPack open(Path dir, boolean verify) throws IOException {
        return open(dir, Options.defaults().verify(verify));
    }

    /**
     * Opens a pack directory. With {@code verify}, every tensor's SHA-256 is checked first (reads every byte).
     *
     * @throws BadInputException when the manifest or the weights file is malformed, names a missing part, is of an
     *                           unsupported format version, or (with verify) a checksum does not match
     */
    public static TqPack open(Path dir, Options options) throws IOException {
        boolean verify = options.verify();
        Manifest manifest = readManifest(dir);
        SafetensorsFile weights;
        try {
            weights = SafetensorsFile.open(dir.resolve(Manifest.WEIGHTS_FILE));
        } catch (NoSuchFileException e) {
            throw new BadInputException(dir, null, "not a pack: " + Manifest.WEIGHTS_FILE + " is missing");
        }
        ParallelMatmul pool = options.pool();
        try {
            Map<String, TqTensor> tensors = new LinkedHashMap<>();
            Path manifestFile = dir.resolve(Manifest.FILE_NAME);
            for (Manifest.TensorEntry e : manifest.tensors()) {
                if (e == null || e.name() == null) throw new BadInputException(manifestFile, null, "a tensor has no name");
                if (tensors.containsKey(e.name())) throw new BadInputException(manifestFile, e.name(), "listed twice");
                try {
                    tensors.put(e.name(), new TqTensor(e, weights, dir, pool));
                } catch (BadInputException bad) {
                    throw bad;
                } catch (RuntimeException invalid) { // a field out of range for the decoder (bits, block, seed, ...)
                    throw new BadInputException(manifestFile, e.name(), "invalid entry: " + invalid.getMessage());
                }
            }
            TqPack pack = new TqPack(dir, manifest, weights, Collections.unmodifiableMap(tensors), pool, options.ownsPool());
            if (verify) pack.verify();
            return pack;
        } catch (RuntimeException e) {
            weights.close();
            if (options.ownsPool()) pool.close();
            throw e;
        }
    }

    /** Reads and checks {@value Manifest#FILE_NAME}: format name and version first, then the structure. */
    public static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(Manifest.FILE_NAME);
        if (!Files.isDirectory(dir)) throw new BadInputException(dir, null, "not a pack directory");
        if (!Files.exists(file)) throw new BadInputException(dir, null, "not a pack: " + Manifest.FILE_NAME + " is missing");
        Manifest m;
        try {
            m = Manifest.JSON.readValue(file.toFile(), Manifest.class);
        } catch (JacksonException e) {
            throw new BadInputException(file, null, "invalid manifest: " + e.getOriginalMessage());
        }
        if (m == null || !Manifest.FORMAT.equals(m.format()))
            throw new BadInputException(file, null, "not a " + Manifest.FORMAT + " manifest");
        if (m.version() != Manifest.VERSION && m.version() != Manifest.VERSION_MIXED)
            throw new BadInputException(file, null, "unsupported format version " + m.version()
                    + " (this tool reads versions " + Manifest.VERSION + " and " + Manifest.VERSION_MIXED + ")");
        if (m.tensors() == null) throw new BadInputException(file, null, "no tensor list");
        if (m.source() == null || m.source().sha256() == null)
            throw new BadInputException(file, null, "no source description");
        if (m.totals() == null) throw new BadInputException(file, null, "no totals");
        return m;
    }

    /** Recomputes every tensor's SHA-256. @throws BadInputException naming the first tensor that differs */
    public void verify() {
        for (TqTensor t : tensors.values()) {
            MessageDigest digest = Sha256s.newDigest();
            digest.update(t.manifestEntry().decodeFields());
            for (String part : partsInFileOrder(t.manifestEntry())) Sha256s.update(digest, weights.segment(part));
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(t.manifestEntry().sha256()))
                throw new BadInputException(weights.path(), t.name(), "checksum mismatch (sha256 " + actual
                        + ", manifest says " + t.manifestEntry().sha256() + "): the pack is corrupt");
        }
    }

    private List<String> partsInFileOrder(Manifest.TensorEntry e) {
        return e.parts().values().stream()
                .sorted(java.util.Comparator.comparingLong(p -> weights.info(p).begin()))
                .toList();
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
