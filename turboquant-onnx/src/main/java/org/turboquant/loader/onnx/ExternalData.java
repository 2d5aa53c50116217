package org.turboquant.loader.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.MappedFiles;

/**
 * Maps the external data files of an ONNX model (each once, into the model's arena) and slices tensors out of them.
 * A location must name a file inside the model's directory: absolute paths and {@code ..} escapes are refused.
 */
final class ExternalData {

    /** For models parsed from memory: there is no directory to look in. */
    static final ExternalData NONE = new ExternalData(null, null);

    private final Path modelFile;
    private final Arena arena;
    private final Map<Path, MemorySegment> mapped = new HashMap<>();

    ExternalData(Path modelFile, Arena arena) {
        this.modelFile = modelFile;
        this.arena = arena;
    }

    /** The tensor's {@code byteSize} bytes at the reference. @throws BadInputException if they are not there */
    MemorySegment slice(String tensor, OnnxWireReader.ExternalRef ref, long byteSize) {
        if (arena == null) throw bad(tensor, "external data needs the model file's directory");
        if (ref.length() >= 0 && ref.length() != byteSize) {
            throw bad(tensor, "external data length " + ref.length() + " but dims need " + byteSize + " bytes");
        }
        MemorySegment file = map(tensor, resolve(tensor, ref.location()));
        if (ref.offset() > file.byteSize() || byteSize > file.byteSize() - ref.offset()) {
            throw bad(tensor, "external data [" + ref.offset() + ", +" + byteSize + ") runs past the end of "
                    + ref.location() + " (" + file.byteSize() + " bytes)");
        }
        return file.asSlice(ref.offset(), byteSize);
    }

    private Path resolve(String tensor, String location) {
        Path dir = modelFile.toAbsolutePath().getParent();
        try {
            Path p = dir.resolve(location).normalize();
            if (Path.of(location).isAbsolute() || !p.startsWith(dir) || p.equals(dir)) {
                throw bad(tensor, "external data location '" + location + "' is outside the model's directory");
            }
            if (!Files.isRegularFile(p)) throw bad(tensor, "external data file '" + location + "' does not exist");
            return p;
        } catch (InvalidPathException e) {
            throw bad(tensor, "external data location '" + location + "' is not a valid path");
        }
    }

    private MemorySegment map(String tensor, Path p) {
        return mapped.computeIfAbsent(p, path -> {
            try {
                return MappedFiles.mapReadOnly(path, arena);
            } catch (IOException e) {
                throw new UncheckedIOException("tensor '" + tensor + "': cannot map " + path, e);
            }
        });
    }

    /** The external files mapped so far, sorted. */
    List<Path> files() { return mapped.keySet().stream().sorted().toList(); }

    private BadInputException bad(String tensor, String problem) {
        return new BadInputException(modelFile, tensor, problem);
    }
}
