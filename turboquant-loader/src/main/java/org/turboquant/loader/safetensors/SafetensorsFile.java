package org.turboquant.loader.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.MappedFiles;

/**
 * A memory-mapped, validated safetensors file. {@link #open} maps the whole file read-only into a shared arena (any
 * size, including files over 2 GiB) and validates the header completely before any tensor data is touched:
 * the 8-byte little-endian length (at most 100 MB and within the file), a UTF-8 JSON object without duplicate keys,
 * {@code __metadata__} as a string-to-string map, and for every tensor a known dtype, non-negative dims, a byte range
 * equal to shape × dtype size, inside the data section and overlapping no other tensor.
 *
 * <p>Immutable and thread-safe. {@link #close()} unmaps; segments handed out are then no longer accessible.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapped, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = mapped.asSlice(header.dataStart()).asReadOnly();
        this.header = header;
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) map.put(t.name(), t);
        this.byName = map;
    }

    /**
     * Maps and validates {@code file}.
     *
     * @throws BadInputException when the file is missing or not a well-formed safetensors file
     * @throws IOException when it cannot be read
     */
    public static SafetensorsFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped = MappedFiles.mapReadOnly(file, arena);
            SafetensorsHeader header = SafetensorsHeader.parse(file, mapped);
            return new SafetensorsFile(file, arena, mapped, header);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }

    /** The tensors in data-offset order. */
    public List<TensorInfo> tensors() { return header.tensors(); }

    /** The header's {@code __metadata__} (empty when absent), in header order, unmodifiable. */
    public Map<String, String> metadata() { return header.metadata(); }

    /** The entry named {@code name}. @throws NoSuchElementException when there is none */
    public TensorInfo info(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) throw new NoSuchElementException(path + ": no tensor named '" + name + "'");
        return t;
    }

    public boolean contains(String name) { return byName.containsKey(name); }

    /** The tensor's bytes (little-endian), a zero-copy read-only slice of the mapping. */
    public MemorySegment segment(String name) { return segment(info(name)); }

    /** The tensor's bytes (little-endian), a zero-copy read-only slice of the mapping. */
    public MemorySegment segment(TensorInfo info) {
        if (!info.equals(byName.get(info.name()))) {
            throw new IllegalArgumentException(path + ": tensor '" + info.name() + "' is not from this file");
        }
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** Byte offset of the data section in the file: 8 + header length. */
    public long dataStart() { return header.dataStart(); }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() { return "SafetensorsFile[" + path + ", " + byName.size() + " tensors]"; }
}
