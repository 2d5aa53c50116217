package org.turboquant.loader.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.MappedFiles;
import org.turboquant.loader.source.Usage;

/**
 * The initializers of an ONNX model file, read straight from the protobuf wire format (ModelProto → graph →
 * initializer / node) without generated classes. The file is memory-mapped and {@code raw_data} is kept as zero-copy
 * slices; typed data fields ({@code float_data}, ...) are decoded to the heap. Each initializer's {@link Usage} comes
 * from the nodes that consume it (see {@link UsageAnalysis}); only 2-D float tensors get a usage other than OTHER.
 * External data (weights in files beside the model, as exporters write for models over 2 GiB) are mapped too, from
 * files inside the model's directory.
 * Rejected with a {@link BadInputException}: segmented data, sparse initializers, unsupported data types
 * (strings, complex, UINT16/32/64, FP8), and malformed protobuf.
 *
 * <p>Immutable and thread-safe; {@link #close()} unmaps.
 */
public final class OnnxModel implements AutoCloseable {

    private final Path path;
    /** Owns the mappings (the model and its external data files); null for a model parsed from a heap array. */
    private final Arena arena;
    private final List<OnnxInitializer> initializers;
    private final Map<String, OnnxInitializer> byName;
    private final List<OnnxNode> nodes;
    private final List<Path> externalFiles;
    private final UsageAnalysis usages;

    private OnnxModel(Path path, Arena arena, OnnxWireReader.Parsed parsed, ExternalData external) {
        this.path = path;
        this.arena = arena;
        this.usages = new UsageAnalysis(parsed.nodes());
        List<OnnxInitializer> list = new ArrayList<>();
        Map<String, OnnxInitializer> map = new LinkedHashMap<>();
        for (OnnxWireReader.RawTensor t : parsed.initializers()) {
            Usage usage = t.dtype().isFloat() && t.dims().length == 2 ? usages.usageOf(t.name()) : Usage.OTHER;
            MemorySegment data = t.external() == null ? t.data()
                    : external.slice(t.name(), t.external(), t.byteSize());
            OnnxInitializer init = new OnnxInitializer(t.name(), t.dtype(), t.dims(), data.asReadOnly(), usage);
            list.add(init);
            map.put(t.name(), init);
        }
        this.initializers = List.copyOf(list);
        this.byName = map;
        this.nodes = List.copyOf(parsed.nodes());
        this.externalFiles = external.files();
    }

    /** Maps and parses {@code file}. @throws BadInputException when it is missing or not a usable model */
    public static OnnxModel open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped = MappedFiles.mapReadOnly(file, arena);
            return new OnnxModel(file, arena, OnnxWireReader.read(file, mapped), new ExternalData(file, arena));
        } catch (UncheckedIOException e) { // from mapping an external data file
            arena.close();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses a model held in memory (tests, fuzzing); {@code file} only names it in errors. */
    static OnnxModel parse(Path file, byte[] content) {
        return new OnnxModel(file, null, OnnxWireReader.read(file, MemorySegment.ofArray(content)),
                ExternalData.NONE);
    }

    public Path path() { return path; }

    /** Initializers in file order. */
    public List<OnnxInitializer> initializers() { return initializers; }

    /** The initializer named {@code name}. @throws NoSuchElementException when there is none */
    public OnnxInitializer initializer(String name) {
        OnnxInitializer t = byName.get(name);
        if (t == null) throw new NoSuchElementException(path + ": no initializer named '" + name + "'");
        return t;
    }

    /** The external data files the initializers live in, sorted (empty for a self-contained model). */
    public List<Path> externalFiles() { return externalFiles; }

    /** The nodes that take {@code name} (an initializer or any other value) as an input, in graph order. */
    public List<OnnxNode> consumersOf(String name) { return usages.consumersOf(name); }

    /** The main graph's nodes in file order. */
    public List<OnnxNode> nodes() { return nodes; }

    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }
}
