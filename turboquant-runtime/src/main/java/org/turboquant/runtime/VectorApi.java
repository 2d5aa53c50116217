package org.turboquant.runtime;

/**
 * The encoder's own layers (LayerNorm, attention, GELU, the FP32 matrices) are Vector API code with no scalar twin, so
 * without {@code jdk.incubator.vector} they cannot even load. Rather than a NoClassDefFoundError from the middle of
 * model loading, the runtime refuses up front with the flag to add (the loader's kernels, by contrast, fall back to
 * scalar with a warning).
 */
final class VectorApi {
    static final String MISSING = "turboquant-runtime needs the Vector API: start the JVM with "
            + "--add-modules jdk.incubator.vector";

    private VectorApi() {}

    static void require() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) throw new IllegalStateException(MISSING);
    }
}
