package org.turboquant.simd.panama;

import java.lang.foreign.Arena;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RowGroupCodes;

/**
 * The kernels that read whole rows ({@link PackedDot}, the generic path) on a matrix stored grouped: a row-order
 * copy, made once per matrix at its first such product and kept with it. Only when the table kernels do not apply to
 * a grouped matrix: a JVM below 512 bits, {@code -Dturboquant.rowGroups=false}, or a width or block the table
 * kernels do not take (packs store those in row order, so in practice only the first two).
 */
final class RowOrder {
    private RowOrder() {}

    static QuantizedMatrix of(QuantizedMatrix m) {
        if (m.codeLayout() == CodeLayout.ROWS) return m;
        return m.derived(RowOrder.class, QuantizedMatrix.class, g -> RowGroupCodes.ungroup(g, Arena.ofAuto()));
    }
}
