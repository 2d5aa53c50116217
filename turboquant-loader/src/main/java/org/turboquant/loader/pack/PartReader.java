package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import org.turboquant.core.CodeLayout;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.TensorInfo;

/** Looks up and checks one tensor's parts in the weights file, and its manifest fields. */
final class PartReader {
    private final SafetensorsFile weights;
    private final Path manifestFile;
    private final Manifest.TensorEntry entry;

    PartReader(SafetensorsFile weights, Path packDir, Manifest.TensorEntry entry) {
        this.weights = weights;
        this.manifestFile = packDir.resolve(Manifest.FILE_NAME);
        this.entry = entry;
    }

    Manifest.TensorEntry entry() {
        return entry;
    }

    /** The part in role {@code role}, checked to be of this dtype and shape. */
    MemorySegment part(String role, DType dtype, long... shape) {
        String partName = entry.parts() == null ? null : entry.parts().get(role);
        if (partName == null) throw bad("no '" + role + "' part in the manifest");
        if (!weights.contains(partName))
            throw new BadInputException(weights.path(), entry.name(), "part '" + partName + "' named by the manifest is missing");
        TensorInfo info = weights.info(partName);
        if (info.dtype() != dtype || !Arrays.equals(info.shape(), shape))
            throw new BadInputException(weights.path(), entry.name(), "part '" + partName + "' is " + info.dtype().id()
                    + Arrays.toString(info.shape()) + ", expected " + dtype.id() + Arrays.toString(shape));
        return weights.segment(info);
    }

    <T> T require(T value, String field) {
        if (value == null) throw bad("missing field '" + field + "'");
        return value;
    }

    /** The manifest's {@code code_layout}, parsed; null when absent. An unknown one is this tensor's one-line error. */
    CodeLayout codeLayout() {
        String id = entry().codeLayout();
        if (id == null) return null;
        try {
            return CodeLayout.parse(id);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    BadInputException bad(String problem) {
        return new BadInputException(manifestFile, entry.name(), problem);
    }
}
