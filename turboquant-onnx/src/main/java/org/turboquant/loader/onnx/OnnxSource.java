package org.turboquant.loader.onnx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.turboquant.loader.source.Sha256;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;

/** A {@link TensorSource} over an ONNX model's initializers, with usages taken from the graph. */
final class OnnxSource implements TensorSource {

    private final OnnxModel model;
    private final Map<String, SourceTensor> byName = new LinkedHashMap<>();
    private final List<SourceTensor> tensors;

    private OnnxSource(OnnxModel model) {
        this.model = model;
        for (OnnxInitializer init : model.initializers()) {
            byName.put(init.name(), new SourceTensor(init.name(), init.dtype(), init.dims(), init.usage()));
        }
        this.tensors = List.copyOf(byName.values());
    }

    static OnnxSource open(Path file) throws IOException {
        return new OnnxSource(OnnxModel.open(file));
    }

    /** Registered in META-INF/services: how {@link TensorSource#open} reaches this module's reader. */
    public static final class Provider implements org.turboquant.loader.source.TensorSourceProvider {
        @Override
        public String suffix() { return ".onnx"; }

        @Override
        public TensorSource open(Path file) throws IOException { return OnnxSource.open(file); }
    }

    @Override
    public Path path() { return model.path(); }

    @Override
    public List<SourceTensor> tensors() { return tensors; }

    @Override
    public SourceTensor tensor(String name) {
        SourceTensor t = byName.get(name);
        if (t == null) throw new NoSuchElementException(model.path() + ": no tensor named '" + name + "'");
        return t;
    }

    @Override
    public MemorySegment raw(SourceTensor t) { return model.initializer(t.name()).data(); }

    @Override
    public String sha256() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(model.path());
        files.addAll(model.externalFiles());
        return Sha256.of(files);
    }

    @Override
    public void close() { model.close(); }
}
