package org.turboquant.simd;

/** Run in a child JVM by {@link VectorModuleWarningTest}: selects the kernels (twice) and prints what runs. */
public final class KernelReportMain {
    private KernelReportMain() {}

    public static void main(String[] args) {
        TurboQuantKernels first = TurboQuantKernels.get();
        TurboQuantKernels again = TurboQuantKernels.get(); // a second look-up must not warn again
        if (first != again) throw new AssertionError("kernels chosen twice");
        System.out.println(first.describe());
    }
}
