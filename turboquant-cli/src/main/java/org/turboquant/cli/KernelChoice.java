package org.turboquant.cli;

import org.turboquant.simd.KernelMode;

/** The {@code --kernels float|int8|auto} option of tq embed and tq fidelity. */
final class KernelChoice {
    private KernelChoice() {}

    static KernelMode parse(String option, String value) {
        try {
            return KernelMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + value + ": expected float, int8 or auto");
        }
    }
}
