package org.turboquant.runtime;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.onnx.OnnxInitializer;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.onnx.OnnxNode;
import org.turboquant.runtime.BertLayout.Layer;
import org.turboquant.runtime.BertLayout.Linear;
import org.turboquant.runtime.BertLayout.Norm;

/**
 * Reads a {@link BertLayout} from an ONNX graph by walking its nodes, so anonymous initializers
 * ({@code onnx::MatMul_885}) get their roles from where they are used: the Gather of {@code input_ids} is the word
 * table; from the embedding sum on, each block is three MatMuls of the same input (query and key meet in the score
 * MatMul, value in the context MatMul), the output MatMul, a residual Add and a LayerNorm (the LayerNormalization op
 * or its ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add decomposition), the intermediate MatMul, an erf GELU,
 * the output MatMul, a residual Add and a LayerNorm. Constants (epsilon, head count, score scale) are read from the
 * graph. Anything else fails with one message naming the value or node where the pattern breaks.
 */
public final class OnnxBertGraph {
    /** Ops a value may pass through between a projection and the attention MatMuls. */
    private static final Set<String> HEAD_SHAPING = Set.of("Reshape", "Transpose", "Div", "Mul", "Identity", "Cast");
    /** Ops of an erf GELU (decomposed or fused). */
    private static final Set<String> GELU_OPS = Set.of("Div", "Mul", "Erf", "Add", "Gelu", "Cast", "Identity");

    private final Path file;
    private final Map<String, long[]> initializerDims;
    private final Function<String, double[]> initializerValues;
    private final Map<String, OnnxNode> producer = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();

    private OnnxBertGraph(Path file, List<OnnxNode> nodes, Map<String, long[]> initializerDims,
                          Function<String, double[]> initializerValues) {
        this.file = file;
        this.initializerDims = initializerDims;
        this.initializerValues = initializerValues;
        for (OnnxNode n : nodes) {
            for (String out : n.outputs()) producer.put(out, n);
            for (String in : new java.util.LinkedHashSet<>(n.inputs())) {
                if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
    }

    /** The layout of {@code model}'s graph. @throws BadInputException when the graph is not a BERT-style encoder */
    public static BertLayout map(OnnxModel model) {
        return map(model, model.nodes());
    }

    /** The layout of {@code nodes} (the model's graph, or a modified copy of it) with {@code model}'s initializers. */
    public static BertLayout map(OnnxModel model, List<OnnxNode> nodes) {
        Map<String, long[]> dims = new LinkedHashMap<>();
        for (OnnxInitializer t : model.initializers()) dims.put(t.name(), t.dims());
        return new OnnxBertGraph(model.path(), nodes, dims, name -> smallValues(model.initializer(name))).layout();
    }

    private static double[] smallValues(OnnxInitializer t) {
        if (t.numel() > 16) return null;
        int n = (int) t.numel();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t.dtype()) {
                case F32 -> t.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i);
                case I64 -> t.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8L * i);
                default -> Double.NaN;
            };
        }
        return v;
    }

    private BertLayout layout() {
        OnnxNode word = gatherOf("input_ids");
        if (word == null) throw bad("input_ids", "no Gather of an initializer by input_ids (the word-embedding look-up)");
        OnnxNode type = gatherOf("token_type_ids");
        // The embedding sum: Adds of the word look-up with the other table look-ups.
        String sum = word.outputs().getFirst();
        String position = null;
        while (true) {
            List<OnnxNode> cs = consumersIgnoringShape(sum);
            if (cs.size() != 1 || !cs.getFirst().opType().equals("Add")) break;
            OnnxNode add = cs.getFirst();
            String other = otherInput(add, sum);
            OnnxNode g = producer.get(other);
            if (g == null || !g.opType().equals("Gather") || !isInitializer(g.inputs().getFirst())) break;
            if (g != type) {
                if (position != null) throw bad(other, "a third embedding look-up besides the word and position tables");
                position = g.inputs().getFirst();
            }
            sum = add.outputs().getFirst();
        }
        if (position == null) throw bad(sum, "no position-embedding Gather is added to the word embeddings");
        NormAt embNorm = layerNorm(sum, "the embedding LayerNorm");
        BertLayout.Embeddings embeddings = new BertLayout.Embeddings(word.inputs().getFirst(), position,
                type == null ? null : type.inputs().getFirst(), embNorm.norm);
        List<Layer> layers = new ArrayList<>();
        int heads = -1;
        double scale = Double.NaN;
        String h = embNorm.output;
        while (true) {
            List<OnnxNode> projections = weightMatMuls(h);
            if (projections.isEmpty()) break;
            String where = "layer " + layers.size();
            if (projections.size() != 3)
                throw bad(h, where + ": feeds " + projections.size() + " MatMuls with weights, expected 3 (query, key, value)");
            Block block = attention(h, projections, where);
            if (heads < 0) {
                heads = block.heads;
                scale = block.scale;
            } else if (heads != block.heads || Math.abs(scale - block.scale) > 1e-6 * Math.abs(scale)) {
                throw bad(h, where + ": " + block.heads + " heads, scale " + block.scale + "; earlier layers have "
                        + heads + ", " + scale);
            }
            layers.add(block.layer);
            h = block.output;
        }
        if (layers.isEmpty()) throw bad(h, "no transformer layer after the embedding LayerNorm (no MatMul of it)");
        return new BertLayout(embeddings, layers, heads, scale);
    }

    private record Block(Layer layer, String output, int heads, double scale) { }

    private record NormAt(Norm norm, String output) { }

    private record Projection(Linear linear, String output) { }

    /** Where a projection's output enters attention: the MatMul, at which input, after which constant factors. */
    private record Route(Projection projection, OnnxNode matMul, int input, List<Double> scales, String reshapeShape) { }

    private Block attention(String h, List<OnnxNode> projections, String where) {
        List<Route> routes = new ArrayList<>();
        for (OnnxNode mm : projections) routes.add(route(linear(mm, where), where));
        List<Route> left = routes.stream().filter(r -> r.input == 0).toList();
        if (left.size() != 1)
            throw bad(h, where + ": " + left.size() + " projections enter an attention MatMul as its left operand, "
                    + "expected 1 (the query)");
        Route query = left.getFirst();
        OnnxNode scores = query.matMul;
        List<Route> keys = routes.stream().filter(r -> r.matMul == scores && r.input == 1).toList();
        List<Route> values = routes.stream().filter(r -> r.matMul != scores && r.input == 1).toList();
        if (keys.size() != 1 || values.size() != 1)
            throw bad(scores.outputs().getFirst(), where + ": could not tell key from value (one projection must "
                    + "meet the query in the score MatMul, the other enter a second MatMul as its right operand)");
        Route key = keys.getFirst(), val = values.getFirst();
        OnnxNode context = val.matMul;
        List<Double> qkScale = new ArrayList<>(query.scales);
        qkScale.addAll(key.scales);
        // scores -> (Div|Mul by a constant, Add of the mask)* -> Softmax -> context MatMul
        String value = scores.outputs().getFirst();
        while (true) {
            OnnxNode n = onlyConsumer(value, null, where + ": the attention scores");
            if (n.opType().equals("Softmax")) {
                value = n.outputs().getFirst();
                break;
            }
            switch (n.opType()) {
                case "Div", "Mul" -> qkScale.add(scalarFactor(n, value, where));
                case "Add", "Cast", "Where" -> { } // the padding mask
                default -> throw bad(value, where + ": " + n.opType() + " between the score MatMul and the Softmax");
            }
            value = n.outputs().getFirst();
        }
        if (!context.inputs().getFirst().equals(value))
            throw bad(value, where + ": the Softmax does not feed the context MatMul directly");
        double scale = 1;
        for (double s : qkScale) scale *= s;
        int heads = headCount(query.reshapeShape, where);
        // context -> Transpose/Reshape -> output MatMul
        value = context.outputs().getFirst();
        OnnxNode outMm;
        while (true) {
            OnnxNode n = onlyConsumer(value, null, where + ": the attention context");
            if (n.opType().equals("MatMul")) {
                outMm = n;
                break;
            }
            if (!n.opType().equals("Transpose") && !n.opType().equals("Reshape"))
                throw bad(value, where + ": " + n.opType() + " between the context MatMul and the output projection");
            value = n.outputs().getFirst();
        }
        if (!isInitializer(outMm.inputs().get(1)))
            throw bad(value, where + ": the attention output MatMul has no weight initializer");
        Projection attnOut = linear(outMm, where);
        String res1 = residual(attnOut.output, h, where + ": the attention residual");
        NormAt norm1 = layerNorm(res1, where + ": the attention LayerNorm");
        List<OnnxNode> inter = weightMatMuls(norm1.output);
        if (inter.size() != 1)
            throw bad(norm1.output, where + ": feeds " + inter.size() + " MatMuls with weights, expected 1 (intermediate)");
        Projection intermediate = linear(inter.getFirst(), where);
        OnnxNode down = geluTo(intermediate.output, where);
        Projection output = linear(down, where);
        String res2 = residual(output.output, norm1.output, where + ": the output residual");
        NormAt norm2 = layerNorm(res2, where + ": the output LayerNorm");
        Layer layer = new Layer(query.projection.linear, key.projection.linear, val.projection.linear, attnOut.linear, norm1.norm, intermediate.linear,
                output.linear, norm2.norm);
        return new Block(layer, norm2.output, heads, scale);
    }

    /** Follows a projection's output through Reshape/Transpose (and constant scaling) to an attention MatMul. */
    private Route route(Projection p, String where) {
        String value = p.output;
        List<Double> scales = new ArrayList<>();
        String reshape = null;
        while (true) {
            List<OnnxNode> cs = consumersIgnoringShape(value);
            if (cs.size() != 1) throw bad(value, where + ": projection output feeds " + describe(cs)
                    + ", expected one chain of Reshape/Transpose to an attention MatMul");
            OnnxNode next = cs.getFirst();
            if (next.opType().equals("MatMul")) {
                int input = next.inputs().get(0).equals(value) ? 0 : 1;
                return new Route(p, next, input, scales, reshape);
            }
            if (!HEAD_SHAPING.contains(next.opType()))
                throw bad(value, where + ": " + next.opType() + " between a projection and the attention MatMul");
            if (next.opType().equals("Reshape") && reshape == null) reshape = next.inputs().get(1);
            if (next.opType().equals("Div") || next.opType().equals("Mul")) scales.add(scalarFactor(next, value, where));
            value = next.outputs().getFirst();
        }
    }

    /** From the intermediate projection through an erf GELU to the next MatMul with a weight. */
    private OnnxNode geluTo(String start, String where) {
        Set<String> ops = new HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>();
        OnnxNode target = null;
        while (!queue.isEmpty()) {
            String value = queue.poll();
            if (!seen.add(value)) continue;
            for (OnnxNode n : consumersIgnoringShape(value)) {
                if (n.opType().equals("MatMul") && n.inputs().size() == 2 && isInitializer(n.inputs().get(1))) {
                    if (target != null && target != n)
                        throw bad(value, where + ": the activation feeds two MatMuls");
                    target = n;
                    continue;
                }
                if (!GELU_OPS.contains(n.opType()))
                    throw bad(value, where + ": " + n.opType() + " in the activation (only the erf form of GELU is supported)");
                ops.add(n.opType());
                if (seen.size() > 32) throw bad(value, where + ": the activation is not a short chain");
                queue.addAll(n.outputs());
            }
        }
        if (target == null) throw bad(start, where + ": no output MatMul after the activation");
        if (!ops.contains("Erf") && !ops.contains("Gelu"))
            throw bad(start, where + ": the activation is " + ops + ", not an erf GELU");
        return target;
    }

    /** The Add of {@code branch} and {@code skip}; returns its output. */
    private String residual(String branch, String skip, String what) {
        OnnxNode add = onlyConsumer(branch, "Add", what);
        if (!otherInput(add, branch).equals(skip))
            throw bad(branch, what + ": the Add's other operand is '" + otherInput(add, branch) + "', expected '" + skip + "'");
        return add.outputs().getFirst();
    }

    /** A MatMul with a weight initializer followed by the Add of a bias initializer. */
    private Projection linear(OnnxNode mm, String where) {
        String weight = mm.inputs().get(1);
        long[] wd = initializerDims.get(weight);
        if (wd == null || wd.length != 2) throw bad(weight, where + ": MatMul weight is not a 2-D initializer");
        String out = mm.outputs().getFirst();
        OnnxNode add = onlyConsumer(out, "Add", where + ": the bias of MatMul weight " + weight);
        String bias = otherInput(add, out);
        long[] bd = initializerDims.get(bias);
        if (bd == null || bd.length != 1 || bd[0] != wd[1])
            throw bad(weight, where + ": its MatMul is followed by an Add of '" + bias + "', not of a bias initializer of "
                    + wd[1] + " elements");
        return new Projection(new Linear(weight, bias), add.outputs().getFirst());
    }

    /** LayerNormalization, or its decomposition, applied to {@code x}. */
    private NormAt layerNorm(String x, String what) {
        List<OnnxNode> cs = consumersIgnoringShape(x);
        for (OnnxNode n : cs) {
            if (n.opType().equals("LayerNormalization") && n.inputs().getFirst().equals(x)) {
                if (n.inputs().size() < 3 || !isInitializer(n.inputs().get(1)) || !isInitializer(n.inputs().get(2)))
                    throw bad(x, what + ": LayerNormalization without scale and bias initializers");
                double[] eps = n.realAttribute("epsilon");
                return new NormAt(new Norm(n.inputs().get(1), n.inputs().get(2), eps == null ? 1e-5 : eps[0]),
                        n.outputs().getFirst());
            }
        }
        OnnxNode mean = onlyConsumer(x, "ReduceMean", what);
        OnnxNode sub = onlyConsumerOf(mean.outputs().getFirst(), "Sub", what);
        if (!sub.inputs().equals(List.of(x, mean.outputs().getFirst())))
            throw bad(sub.outputs().getFirst(), what + ": Sub is not x − mean(x)");
        String centred = sub.outputs().getFirst();
        OnnxNode pow = null, div = null;
        for (OnnxNode n : consumersIgnoringShape(centred)) {
            if (n.opType().equals("Pow")) pow = n;
            else if (n.opType().equals("Div")) div = n;
            else throw bad(centred, what + ": " + n.opType() + " takes x − mean(x), expected Pow and Div");
        }
        if (pow == null || div == null) throw bad(centred, what + ": x − mean(x) must feed a Pow and a Div");
        double[] two = constant(pow.inputs().get(1));
        if (two == null || two[0] != 2) throw bad(pow.outputs().getFirst(), what + ": Pow exponent is not 2");
        OnnxNode var = onlyConsumerOf(pow.outputs().getFirst(), "ReduceMean", what);
        OnnxNode addEps = onlyConsumerOf(var.outputs().getFirst(), "Add", what);
        double[] eps = constant(otherInput(addEps, var.outputs().getFirst()));
        if (eps == null || eps.length != 1) throw bad(addEps.outputs().getFirst(), what + ": epsilon is not a constant scalar");
        OnnxNode sqrt = onlyConsumerOf(addEps.outputs().getFirst(), "Sqrt", what);
        if (!div.inputs().equals(List.of(centred, sqrt.outputs().getFirst())))
            throw bad(div.outputs().getFirst(), what + ": Div is not (x − mean) / sqrt(var + eps)");
        OnnxNode mul = onlyConsumerOf(div.outputs().getFirst(), "Mul", what);
        String gamma = otherInput(mul, div.outputs().getFirst());
        OnnxNode add = onlyConsumerOf(mul.outputs().getFirst(), "Add", what);
        String beta = otherInput(add, mul.outputs().getFirst());
        if (!isInitializer(gamma) || !isInitializer(beta))
            throw bad(add.outputs().getFirst(), what + ": scale '" + gamma + "' or shift '" + beta + "' is not an initializer");
        return new NormAt(new Norm(gamma, beta, eps[0]), add.outputs().getFirst());
    }

    /** The head count from the Reshape that splits a projection into [batch, seq, heads, head size]. */
    private int headCount(String shapeValue, String where) {
        if (shapeValue == null) throw bad("", where + ": no Reshape splits the query into heads");
        List<Double> shape = new ArrayList<>();
        OnnxNode p = producer.get(shapeValue);
        double[] whole = constant(shapeValue);
        if (whole != null) {
            for (double d : whole) shape.add(d);
        } else if (p != null && p.opType().equals("Concat")) {
            for (String in : p.inputs()) {
                double[] c = constant(in);
                if (c == null) shape.add(Double.NaN);
                else for (double d : c) shape.add(d);
            }
        } else {
            throw bad(shapeValue, where + ": the head-splitting Reshape's shape is neither a constant nor a Concat");
        }
        if (shape.size() != 4 || !(shape.get(2) > 0) || !(shape.get(3) > 0))
            throw bad(shapeValue, where + ": the head-splitting shape " + shape + " is not [batch, seq, heads, head size]");
        return (int) (double) shape.get(2);
    }

    /** The factor a Div or Mul by a constant scalar applies. */
    private double scalarFactor(OnnxNode n, String value, String where) {
        double[] c = constant(otherInput(n, value));
        if (c == null || c.length != 1)
            throw bad(n.outputs().getFirst(), where + ": " + n.opType() + " by a non-constant in the attention");
        return n.opType().equals("Div") ? 1 / c[0] : c[0];
    }

    /** The elements of a Constant node's output or of a small initializer; null when neither. */
    private double[] constant(String value) {
        OnnxNode p = producer.get(value);
        if (p != null && p.opType().equals("Constant")) return p.realAttribute("value");
        if (p != null && (p.opType().equals("Identity") || p.opType().equals("Cast"))) return constant(p.inputs().getFirst());
        return isInitializer(value) ? initializerValues.apply(value) : null;
    }

    /** MatMul nodes taking {@code x} as input 0 and an initializer as input 1. */
    private List<OnnxNode> weightMatMuls(String x) {
        return consumers.getOrDefault(x, List.of()).stream()
                .filter(n -> n.opType().equals("MatMul") && n.inputs().size() == 2 && n.inputs().get(0).equals(x)
                        && isInitializer(n.inputs().get(1)))
                .toList();
    }

    /** The Gather (axis 0) of an initializer by graph input {@code input}, or null. */
    private OnnxNode gatherOf(String input) {
        for (OnnxNode n : consumers.getOrDefault(input, List.of())) {
            if (n.opType().equals("Gather") && n.inputs().size() == 2 && n.inputs().get(1).equals(input)
                    && isInitializer(n.inputs().getFirst()) && n.intAttribute("axis", 0) == 0) return n;
        }
        return null;
    }

    /** The single consumer of {@code value} besides Shape nodes, of op {@code op} (any when null). */
    private OnnxNode onlyConsumer(String value, String op, String what) {
        List<OnnxNode> cs = consumersIgnoringShape(value);
        if (op != null) {
            List<OnnxNode> matching = cs.stream().filter(n -> n.opType().equals(op)).toList();
            if (matching.size() == 1) return matching.getFirst();
            throw bad(value, what + ": expected one " + op + " to take it, found " + describe(cs));
        }
        if (cs.size() != 1) throw bad(value, what + ": expected one node to take it, found " + describe(cs));
        return cs.getFirst();
    }

    /** Like {@link #onlyConsumer} but the value must have no other consumer at all. */
    private OnnxNode onlyConsumerOf(String value, String op, String what) {
        List<OnnxNode> cs = consumersIgnoringShape(value);
        if (cs.size() != 1 || !cs.getFirst().opType().equals(op))
            throw bad(value, what + ": expected a " + op + " to take it, found " + describe(cs));
        return cs.getFirst();
    }

    private List<OnnxNode> consumersIgnoringShape(String value) {
        return consumers.getOrDefault(value, List.of()).stream().filter(n -> !n.opType().equals("Shape")).toList();
    }

    private String otherInput(OnnxNode n, String value) {
        List<String> others = n.inputs().stream().filter(i -> !i.equals(value)).toList();
        if (n.inputs().size() != 2 || others.size() != 1)
            throw bad(value, n.opType() + " producing '" + n.outputs().getFirst() + "' does not take it with one other operand");
        return others.getFirst();
    }

    private boolean isInitializer(String name) { return initializerDims.containsKey(name); }

    private static String describe(List<OnnxNode> cs) {
        if (cs.isEmpty()) return "nothing";
        return cs.stream().map(n -> n.opType() + " → '" + (n.outputs().isEmpty() ? "" : n.outputs().getFirst()) + "'")
                .collect(Collectors.joining(", "));
    }

    private BadInputException bad(String value, String problem) {
        return new BadInputException(file, null, "not a BERT-style encoder graph: at '" + value + "': " + problem);
    }
}
