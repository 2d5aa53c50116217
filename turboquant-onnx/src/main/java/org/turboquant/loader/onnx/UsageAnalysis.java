package org.turboquant.loader.onnx;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.turboquant.loader.source.Usage;

/**
 * Derives an initializer's {@link Usage} from the nodes that consume it. A weight that reaches its consumer through
 * Transpose (of a matrix: no perm or perm [1, 0]) has its orientation flipped; Identity and Cast pass it on
 * unchanged. When consumers disagree, rows-are-vectors uses (a tied embedding: Gather table and transposed MatMul
 * weight) resolve to {@link Usage#GATHER_TABLE}; any other mix is {@link Usage#OTHER}, so the weight is kept as is.
 */
final class UsageAnalysis {

    private record Use(OnnxNode node, int input) { }

    private final Map<String, List<Use>> consumers = new HashMap<>();

    UsageAnalysis(List<OnnxNode> nodes) {
        for (OnnxNode n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.inputs().get(i);
                if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(new Use(n, i));
            }
        }
    }

    /** The nodes that take value {@code name} as an input, in graph order. */
    List<OnnxNode> consumersOf(String name) {
        return consumers.getOrDefault(name, List.of()).stream().map(Use::node).distinct().toList();
    }

    /** The usage of the value {@code name} (an initializer), from its consumers only. */
    Usage usageOf(String name) {
        Set<Usage> uses = EnumSet.noneOf(Usage.class);
        collect(name, false, new HashSet<>(), uses);
        if (uses.isEmpty()) return Usage.OTHER;
        if (uses.size() == 1) return uses.iterator().next();
        if (uses.equals(EnumSet.of(Usage.GATHER_TABLE, Usage.LINEAR_WEIGHT))) return Usage.GATHER_TABLE;
        return Usage.OTHER;
    }

    /** Adds the uses of value {@code name}; {@code transposed} is true when it is the transpose of the initializer. */
    private void collect(String name, boolean transposed, Set<String> visited, Set<Usage> uses) {
        if (!visited.add(name)) return; // a cycle, only possible in a malformed graph
        for (Use use : consumers.getOrDefault(name, List.of())) {
            OnnxNode n = use.node();
            switch (n.opType()) {
                case "MatMul" -> uses.add(use.input() == 1 ? orientation(transposed) : Usage.OTHER);
                case "Gemm" -> uses.add(use.input() == 1
                        ? orientation(transposed ^ n.intAttribute("transB", 0) != 0) : Usage.OTHER);
                case "Gather" -> uses.add(use.input() == 0 && !transposed && n.intAttribute("axis", 0) == 0
                        ? Usage.GATHER_TABLE : Usage.OTHER);
                case "Transpose" -> {
                    if (isMatrixTranspose(n) && !n.outputs().isEmpty()) {
                        collect(n.outputs().get(0), !transposed, visited, uses);
                    } else {
                        uses.add(Usage.OTHER);
                    }
                }
                case "Identity", "Cast" -> {
                    if (!n.outputs().isEmpty()) collect(n.outputs().get(0), transposed, visited, uses);
                }
                default -> uses.add(Usage.OTHER);
            }
        }
    }

    /** B of a product x·B is [in, out]; if the stored tensor is its transpose, it is [out, in]. */
    private static Usage orientation(boolean transposed) {
        return transposed ? Usage.LINEAR_WEIGHT : Usage.MATMUL_WEIGHT;
    }

    private static boolean isMatrixTranspose(OnnxNode n) {
        long[] perm = n.intsAttribute("perm");
        return perm == null || (perm.length == 2 && perm[0] == 1 && perm[1] == 0);
    }
}
