package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.onnx.OnnxModel;
import org.turboquant.loader.onnx.OnnxNode;

/** Role mapping from the graph on the three built-in encoders, and clear failures on graphs that break the pattern. */
class OnnxBertGraphTest {

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of(TestModels.MINILM, 6), Arguments.of(TestModels.BGE, 12), Arguments.of(TestModels.E5, 12));
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyRoleIsFoundWithTheRightShape(String resource, int layers) throws Exception {
        try (OnnxModel model = OnnxModel.open(TestModels.onnx(resource))) {
            BertLayout layout = OnnxBertGraph.map(model);
            assertThat(layout.layers()).hasSize(layers);
            assertThat(layout.heads()).isEqualTo(12);
            assertThat(layout.attentionScale()).isCloseTo(1 / Math.sqrt(32), within(1e-7));
            // Every name is an initializer, no tensor has two roles, and all shapes fit (load checks them).
            List<String> names = names(layout);
            assertThat(new HashSet<>(names)).hasSameSizeAs(names);
            Set<String> initializers = new HashSet<>();
            model.initializers().forEach(t -> initializers.add(t.name()));
            assertThat(initializers).containsAll(names);
            EncoderWeights w = EncoderWeights.load(layout, new OnnxWeights(model));
            assertThat(w.hidden()).isEqualTo(384);
            assertThat(w.intermediate()).isEqualTo(1536);
            assertThat(w.word().rows()).isEqualTo(30522);
            assertThat(w.position().rows()).isEqualTo(512);
            assertThat(w.tokenType().rows()).isEqualTo(2);
            for (BertLayout.Norm n : norms(layout)) assertThat(n.eps()).isCloseTo(1e-12, within(1e-15));
            // The first block's query/key/value are three different matrices feeding attention in that order.
            BertLayout.Layer first = layout.layers().getFirst();
            assertThat(Set.of(first.query().weight(), first.key().weight(), first.value().weight())).hasSize(3);
        }
    }

    @Test
    void aMissingValueProjectionIsNamedInTheError() throws Exception {
        try (OnnxModel model = OnnxModel.open(TestModels.onnx(TestModels.MINILM))) {
            BertLayout layout = OnnxBertGraph.map(model);
            String value = layout.layers().get(2).value().weight();
            List<OnnxNode> nodes = new ArrayList<>(model.nodes());
            nodes.removeIf(n -> n.opType().equals("MatMul") && n.inputs().contains(value));
            assertThatThrownBy(() -> OnnxBertGraph.map(model, nodes)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("not a BERT-style encoder graph").hasMessageContaining("layer 2")
                    .hasMessageContaining("expected 3 (query, key, value)");
        }
    }

    @Test
    void aRewiredResidualIsRejected() throws Exception {
        try (OnnxModel model = OnnxModel.open(TestModels.onnx(TestModels.MINILM))) {
            BertLayout layout = OnnxBertGraph.map(model);
            String bias = layout.layers().get(1).attentionOutput().bias();
            List<OnnxNode> nodes = new ArrayList<>(model.nodes());
            // The Add after the attention output's bias Add is the residual; make it add the projection to itself.
            OnnxNode biasAdd = nodes.stream().filter(n -> n.opType().equals("Add") && n.inputs().contains(bias)).findFirst().orElseThrow();
            String out = biasAdd.outputs().getFirst();
            int i = -1;
            for (int k = 0; k < nodes.size(); k++)
                if (nodes.get(k).opType().equals("Add") && nodes.get(k).inputs().contains(out)) i = k;
            OnnxNode residual = nodes.get(i);
            nodes.set(i, new OnnxNode("Add", List.of(out, model.nodes().getFirst().outputs().getFirst()), residual.outputs(),
                    residual.intAttributes(), residual.realAttributes()));
            assertThatThrownBy(() -> OnnxBertGraph.map(model, nodes)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("layer 1: the attention residual");
        }
    }

    @Test
    void aTanhActivationIsNotTakenForGelu() throws Exception {
        try (OnnxModel model = OnnxModel.open(TestModels.onnx(TestModels.MINILM))) {
            List<OnnxNode> nodes = new ArrayList<>(model.nodes());
            for (int k = 0; k < nodes.size(); k++) {
                OnnxNode n = nodes.get(k);
                if (n.opType().equals("Erf")) nodes.set(k, new OnnxNode("Tanh", n.inputs(), n.outputs(), n.intAttributes(), n.realAttributes()));
            }
            assertThatThrownBy(() -> OnnxBertGraph.map(model, nodes)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("Tanh in the activation");
        }
    }

    @Test
    void aGraphWithoutInputIdsIsNotAnEncoder() throws Exception {
        try (OnnxModel model = OnnxModel.open(TestModels.onnx(TestModels.MINILM))) {
            List<OnnxNode> nodes = model.nodes().stream().filter(n -> !n.inputs().contains("input_ids")).toList();
            assertThatThrownBy(() -> OnnxBertGraph.map(model, nodes)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("word-embedding look-up");
        }
    }

    static List<String> names(BertLayout layout) {
        List<String> names = new ArrayList<>();
        BertLayout.Embeddings e = layout.embeddings();
        names.addAll(List.of(e.word(), e.position(), e.tokenType(), e.norm().gamma(), e.norm().beta()));
        for (BertLayout.Layer l : layout.layers()) {
            for (BertLayout.Linear lin : List.of(l.query(), l.key(), l.value(), l.attentionOutput(), l.intermediate(), l.output()))
                names.addAll(List.of(lin.weight(), lin.bias()));
            for (BertLayout.Norm n : List.of(l.attentionNorm(), l.outputNorm())) names.addAll(List.of(n.gamma(), n.beta()));
        }
        return names;
    }

    private static List<BertLayout.Norm> norms(BertLayout layout) {
        List<BertLayout.Norm> out = new ArrayList<>(List.of(layout.embeddings().norm()));
        for (BertLayout.Layer l : layout.layers()) out.addAll(List.of(l.attentionNorm(), l.outputNorm()));
        return out;
    }
}
