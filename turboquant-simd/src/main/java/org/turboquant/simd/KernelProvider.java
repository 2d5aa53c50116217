package org.turboquant.simd;

import java.util.logging.Logger;

/**
 * Chooses the kernels once per JVM, as Lucene's vectorization provider does: the Panama implementation when the
 * {@code jdk.incubator.vector} module is present and not disabled, else the scalar reference.
 *
 * <ul>
 *   <li>{@code -Dturboquant.simd=false}: always scalar.</li>
 *   <li>{@code -Dturboquant.vectorBits=128|256|512}: force a vector width (tests use it), capped at what the
 *       CPU supports.</li>
 * </ul>
 */
final class KernelProvider {
    private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
    private static final String PANAMA_CLASS = "org.turboquant.simd.panama.PanamaKernels";

    private KernelProvider() {}

    private static final class Holder {
        static final TurboQuantKernels SELECTED = select();
    }

    static TurboQuantKernels selected() {
        return Holder.SELECTED;
    }

    private static TurboQuantKernels select() {
        if (!Boolean.parseBoolean(System.getProperty("turboquant.simd", "true"))) return new ScalarTurboQuantKernels();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.fine("jdk.incubator.vector not present: using scalar kernels (add --add-modules jdk.incubator.vector)");
            return new ScalarTurboQuantKernels();
        }
        int bits = Integer.getInteger("turboquant.vectorBits", 0);
        try {
            return (TurboQuantKernels) Class.forName(PANAMA_CLASS)
                    .getMethod("create", int.class).invoke(null, bits);
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warning("Panama kernels unavailable, using scalar kernels: " + e);
            return new ScalarTurboQuantKernels();
        }
    }
}
