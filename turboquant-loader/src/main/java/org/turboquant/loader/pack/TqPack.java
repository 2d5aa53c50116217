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
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * A pack opened for use: the weights file memory-mapped, the manifest validated, every tensor ready to decode or
 * to multiply from. Immutable and thread-safe; {@link #close()} unmaps (tensors must not be used afterwards).
 *
 * <pre>{@code
 * try (TqPack pack = TqPack.open(Path.of("model-tq4"))) {
 *     TqTensor w = pack.tensor("model.layers.0.mlp.down_proj.weight");
 *     w.matvec(x, y);               // y = W·x straight from the 4-bit codes
 * }
 * }</pre>
 */
public final class TqPack implements AutoCloseable {
    private final Path dir;
    private final Manifest manifest;
    private final SafetensorsFile weights;
    private final Map<String, TqTensor> tensors;

    private TqPack(Path dir, Manifest manifest, SafetensorsFile weights, Map<String, TqTensor> tensors) {
        this.dir = dir;
        this.manifest = manifest;
        this.weights = weights;
        this.tensors = tensors;
    }

    /** Opens a pack directory without checking checksums. */
    public static TqPack open(Path dir) throws IOException {
        return open(dir, false);
    }

    /**
     * Opens a pack directory. With {@code verify}, every tensor's SHA-256 is checked first (reads every byte).
     *
     * @throws BadInputException when the manifest or the weights file is malformed, names a missing part, is of an
     *                           unsupported format version, or (with verify) a checksum does not match
     */
    public static TqPack open(Path dir, boolean verify) throws IOException {
        Manifest manifest = readManifest(dir);
        SafetensorsFile weights;
        try {
            weights = SafetensorsFile.open(dir.resolve(Manifest.WEIGHTS_FILE));
        } catch (NoSuchFileException e) {
            throw new BadInputException(dir, null, "not a pack: " + Manifest.WEIGHTS_FILE + " is missing");
        }
        try {
            Map<String, TqTensor> tensors = new LinkedHashMap<>();
            Path manifestFile = dir.resolve(Manifest.FILE_NAME);
            for (Manifest.TensorEntry e : manifest.tensors()) {
                if (e == null || e.name() == null) throw new BadInputException(manifestFile, null, "a tensor has no name");
                if (tensors.containsKey(e.name())) throw new BadInputException(manifestFile, e.name(), "listed twice");
                try {
                    tensors.put(e.name(), new TqTensor(e, weights, dir));
                } catch (BadInputException bad) {
                    throw bad;
                } catch (RuntimeException invalid) { // a field out of range for the decoder (bits, block, seed, ...)
                    throw new BadInputException(manifestFile, e.name(), "invalid entry: " + invalid.getMessage());
                }
            }
            TqPack pack = new TqPack(dir, manifest, weights, Collections.unmodifiableMap(tensors));
            if (verify) pack.verify();
            return pack;
        } catch (RuntimeException e) {
            weights.close();
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
        if (m.version() < Manifest.VERSION || m.version() > Manifest.LATEST)
            throw new BadInputException(file, null, "unsupported format version " + m.version()
                    + " (this tool reads versions " + Manifest.VERSION + " to " + Manifest.LATEST + ")");
        if (m.tensors() == null) throw new BadInputException(file, null, "no tensor list");
        for (Manifest.TensorEntry e : m.tensors()) { // a layout an older reader would ignore and misread
            if (e == null || e.codeLayout() == null) continue;
            if (m.version() < Manifest.VERSION_CODE_LAYOUT)
                throw new BadInputException(file, e.name(), "code_layout needs format version "
                        + Manifest.VERSION_CODE_LAYOUT + ", the pack says " + m.version());
            if (e.mixed() || !Method.TURBOQUANT.id().equals(e.method()))
                throw new BadInputException(file, e.name(), "code_layout is only defined for uniform turboquant tensors");
        }
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

    @Override
    public void close() {
        weights.close();
    }
}
