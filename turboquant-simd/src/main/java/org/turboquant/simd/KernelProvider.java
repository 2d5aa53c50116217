package org.turboquant.simd;

import java.util.logging.Logger;

/**
 * Chooses the kernels once per JVM, as Lucene's vectorization provider does: the Panama implementation when the
 * {@code jdk.incubator.vector} module is present and not disabled, else the scalar reference.
 *
 * <ul>
 *   <li>{@code -Dturboquant.simd=false}: always scalar (asked for, so no warning).</li>
 *   <li>{@code -Dturboquant.vectorBits=128|256|512}: force a vector width (tests use it), capped at what the
 *       CPU supports.</li>
 * </ul>
 *
 * <p>Falling back to scalar kernels when the module is missing is 30–40× slower, so it is said once per JVM on
 * stderr ({@link #MISSING_MODULE_WARNING}), not only to a logger nobody has configured.
 */
final class KernelProvider {
    private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
    private static final String PANAMA_CLASS = "org.turboquant.simd.panama.PanamaKernels";

    static final String MISSING_MODULE_WARNING = "turboquant: jdk.incubator.vector is not enabled; running scalar "
            + "kernels (30-40x slower). Add --add-modules jdk.incubator.vector";

    private KernelProvider() {}

    private static final class Holder {
        static final TurboQuantKernels SELECTED = select();
        static final boolean VECTOR_API = !(SELECTED instanceof ScalarTurboQuantKernels);
    }

    static TurboQuantKernels selected() {
        return Holder.SELECTED;
    }

    /** Whether the Vector API kernels run (so classes linking against jdk.incubator.vector may be used). */
    static boolean vectorApi() {
        return Holder.VECTOR_API;
    }

    private static TurboQuantKernels select() {
        if (!Boolean.parseBoolean(System.getProperty("turboquant.simd", "true"))) return new ScalarTurboQuantKernels();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println(MISSING_MODULE_WARNING);
            return new ScalarTurboQuantKernels();
        }
        int bits = Integer.getInteger("turboquant.vectorBits", 0);
        try {
            return (TurboQuantKernels) Class.forName(PANAMA_CLASS)
                    .getMethod("create", int.class).invoke(null, bits);
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("turboquant: Vector API kernels unavailable (" + e + "); running scalar kernels (30-40x slower)");
            LOG.fine(() -> "Panama kernels unavailable: " + e);
            return new ScalarTurboQuantKernels();
        }
    }
}
