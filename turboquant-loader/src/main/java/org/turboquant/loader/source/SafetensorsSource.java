package org.turboquant.loader.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.ShardedCheckpoint;
import org.turboquant.loader.safetensors.TensorInfo;

/**
 * A {@link TensorSource} over one safetensors file or a checkpoint directory. Safetensors carry no graph, so usage is
 * guessed from names and shapes: an embedding table by its name, a linear weight by being a 2-D float tensor (the
 * PyTorch convention, [out, in]).
 */
final class SafetensorsSource implements TensorSource {

    private static final List<String> EMBEDDING_NAME_PARTS = List.of("embed", "wte", "word_embeddings");

    private final Path path;
    private final List<Path> hashedFiles;
    private final List<SafetensorsFile> files;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<SourceTensor> tensors;

    /** {@code scales}: the block scales of an FP8 weight ({@link Fp8BlockScales}), else null. */
    private record Entry(SourceTensor tensor, SafetensorsFile file, TensorInfo info, Fp8BlockScales scales) { }

    private SafetensorsSource(Path path, List<Path> hashedFiles, List<SafetensorsFile> files) {
        this.path = path;
        this.hashedFiles = List.copyOf(hashedFiles);
        this.files = List.copyOf(files);
        List<SourceTensor> list = new ArrayList<>();
        Map<String, TensorInfo> all = new java.util.HashMap<>();
        Map<String, SafetensorsFile> fileOf = new java.util.HashMap<>();
        for (SafetensorsFile f : files) {
            for (TensorInfo info : f.tensors()) {
                all.put(info.name(), info);
                fileOf.put(info.name(), f);
            }
        }
        for (SafetensorsFile f : files) {
            for (TensorInfo info : f.tensors()) {
                boolean scaleOfFp8 = info.name().endsWith(Fp8BlockScales.SUFFIX) && isFp8(all.get(
                        info.name().substring(0, info.name().length() - Fp8BlockScales.SUFFIX.length())));
                SourceTensor t = new SourceTensor(info.name(), info.dtype(), info.shape(),
                        scaleOfFp8 ? Usage.OTHER : usageOf(info)); // scales are never quantized themselves
                TensorInfo scale = Fp8BlockScales.isFp8(info.dtype()) ? all.get(info.name() + Fp8BlockScales.SUFFIX) : null;
                Fp8BlockScales scales = scale == null ? null
                        : Fp8BlockScales.of(f.path(), info, scale, fileOf.get(scale.name()).segment(scale));
                entries.put(info.name(), new Entry(t, f, info, scales));
                list.add(t);
            }
        }
        this.tensors = List.copyOf(list);
    }

    static SafetensorsSource openFile(Path file) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(file);
        return new SafetensorsSource(file, List.of(file), List.of(f));
    }

    static SafetensorsSource openDirectory(Path dir) throws IOException {
        ShardedCheckpoint ckpt = ShardedCheckpoint.open(dir);
        List<Path> hashed = new ArrayList<>();
        Path index = dir.resolve(ShardedCheckpoint.INDEX_FILE);
        if (Files.isRegularFile(index)) hashed.add(index);
        for (SafetensorsFile shard : ckpt.shards()) hashed.add(shard.path());
        return new SafetensorsSource(dir, hashed, ckpt.shards());
    }

    private static boolean isFp8(TensorInfo info) {
        return info != null && Fp8BlockScales.isFp8(info.dtype());
    }

    /** Embedding tables by name; other 2-D float tensors are linear weights stored [out, in]. */
    static Usage usageOf(TensorInfo info) {
        if (info.rank() != 2 || !info.dtype().isFloat()) return Usage.OTHER;
        String name = info.name().toLowerCase(Locale.ROOT);
        for (String part : EMBEDDING_NAME_PARTS) {
            if (name.contains(part)) return Usage.GATHER_TABLE;
        }
        return Usage.LINEAR_WEIGHT;
    }

    @Override
    public Path path() { return path; }

    @Override
    public List<SourceTensor> tensors() { return tensors; }

    @Override
    public SourceTensor tensor(String name) { return entry(name).tensor(); }

    @Override
    public MemorySegment raw(SourceTensor t) {
        Entry e = entry(t.name());
        return e.file().segment(e.info());
    }

    /** Decodes like {@link TensorSource#readFloats}; an FP8 weight with a {@code _scale_inv} companion is scaled. */
    @Override
    public void readFloats(SourceTensor t, long elementOffset, float[] dst, int dstOff, int count) {
        Entry e = entry(t.name());
        org.turboquant.loader.safetensors.FloatCodec.decode(e.file().segment(e.info()), t.dtype(), elementOffset, dst,
                dstOff, count);
        if (e.scales() != null) e.scales().apply(elementOffset, dst, dstOff, count);
    }

    @Override
    public Map<String, String> metadata() { return files.isEmpty() ? Map.of() : files.getFirst().metadata(); }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new NoSuchElementException(path + ": no tensor named '" + name + "'");
        return e;
    }

    @Override
    public String sha256() throws IOException { return Sha256.of(hashedFiles); }

    @Override
    public void close() { files.forEach(SafetensorsFile::close); }
}
