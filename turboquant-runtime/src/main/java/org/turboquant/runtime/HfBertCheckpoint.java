package org.turboquant.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.ShardedCheckpoint;
import org.turboquant.loader.safetensors.TensorInfo;

/**
 * A Hugging Face BERT checkpoint directory (config.json beside model.safetensors or its sharded index): the
 * {@link BertLayout} from the tensor names transformers' BertModel gives ({@code encoder.layer.0.attention.self.query.weight},
 * optionally under a {@code bert.} prefix; LayerNorm scale/shift as {@code weight/bias} or the older
 * {@code gamma/beta}) and from config.json (hidden_size, num_attention_heads, num_hidden_layers, layer_norm_eps,
 * hidden_act, which must be the erf GELU). The same layout names a pack made from the checkpoint by {@code tq pack}.
 */
public final class HfBertCheckpoint {
    public static final String CONFIG = "config.json";
    private static final String WORD = "embeddings.word_embeddings.weight";
    /** hidden_act values meaning GELU in its erf form (transformers' ACT2FN). */
    private static final Set<String> ERF_GELU = Set.of("gelu", "gelu_python");

    private HfBertCheckpoint() {}

    /** Whether {@code dir} looks like a checkpoint this class reads (it has a config.json). */
    public static boolean isCheckpoint(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** The checkpoint's own FP32 weights, read once (the files may be closed or deleted afterwards). */
    public static BertEncoder encoder(Path dir, Pooling pooling) throws IOException {
        try (ShardedCheckpoint ckpt = ShardedCheckpoint.open(dir)) {
            BertLayout layout = layout(dir, ckpt.tensors().stream().map(TensorInfo::name).toList());
            return new BertEncoder(EncoderWeights.load(layout, new SafetensorsWeights(ckpt)), pooling);
        }
    }

    /**
     * The layout of the checkpoint in {@code dir} (only its config.json is read) over tensors called {@code names}:
     * the checkpoint's own, or a pack's made from it.
     */
    public static BertLayout layout(Path dir, Collection<String> names) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        JsonNode config;
        try {
            config = JsonMapper.builder().build().readTree(Files.readString(configFile));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(configFile, null, "not valid JSON: " + e.getOriginalMessage());
        }
        String act = config.path("hidden_act").asText("gelu").toLowerCase(Locale.ROOT);
        if (!ERF_GELU.contains(act))
            throw new BadInputException(configFile, null, "hidden_act '" + act + "' is not the erf GELU, the only "
                    + "activation the runtime implements");
        int heads = positive(config, "num_attention_heads", configFile);
        int hidden = positive(config, "hidden_size", configFile);
        if (hidden % heads != 0)
            throw new BadInputException(configFile, null, "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        double eps = config.path("layer_norm_eps").asDouble(1e-12);
        Set<String> have = Set.copyOf(names);
        String prefix = names.stream().filter(n -> n.endsWith(WORD)).map(n -> n.substring(0, n.length() - WORD.length()))
                .findFirst().orElseThrow(() -> new BadInputException(dir, WORD,
                        "no word-embedding table (is this a BERT checkpoint?)"));
        Names n = new Names(dir, prefix, have);
        BertLayout.Embeddings emb = new BertLayout.Embeddings(n.need("embeddings.word_embeddings.weight"),
                n.need("embeddings.position_embeddings.weight"), n.optional("embeddings.token_type_embeddings.weight"),
                n.norm("embeddings.LayerNorm", eps));
        int count = 0;
        while (have.contains(prefix + "encoder.layer." + count + ".attention.self.query.weight")) count++;
        int declared = config.path("num_hidden_layers").asInt(count);
        if (count == 0 || declared != count)
            throw new BadInputException(dir, prefix + "encoder.layer." + count + ".attention.self.query.weight",
                    "config.json declares " + declared + " layers, the tensors have " + count);
        List<BertLayout.Layer> layers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String l = "encoder.layer." + i + ".";
            layers.add(new BertLayout.Layer(n.linear(l + "attention.self.query"), n.linear(l + "attention.self.key"),
                    n.linear(l + "attention.self.value"), n.linear(l + "attention.output.dense"),
                    n.norm(l + "attention.output.LayerNorm", eps), n.linear(l + "intermediate.dense"),
                    n.linear(l + "output.dense"), n.norm(l + "output.LayerNorm", eps)));
        }
        return new BertLayout(emb, layers, heads, 1 / Math.sqrt(hidden / heads));
    }

    private static int positive(JsonNode config, String key, Path file) {
        JsonNode v = config.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1)
            throw new BadInputException(file, null, key + " missing or not a positive integer");
        return v.asInt();
    }

    /** Tensor names under the checkpoint's prefix, each checked to exist. */
    private record Names(Path dir, String prefix, Set<String> have) {
        String need(String name) {
            String full = prefix + name;
            if (!have.contains(full)) throw new BadInputException(dir, full, "the model needs it but there is no such tensor");
            return full;
        }

        String optional(String name) {
            return have.contains(prefix + name) ? prefix + name : null;
        }

        BertLayout.Linear linear(String module) {
            return new BertLayout.Linear(need(module + ".weight"), need(module + ".bias"));
        }

        BertLayout.Norm norm(String module, double eps) {
            boolean old = !have.contains(prefix + module + ".weight") && have.contains(prefix + module + ".gamma");
            return old ? new BertLayout.Norm(need(module + ".gamma"), need(module + ".beta"), eps)
                    : new BertLayout.Norm(need(module + ".weight"), need(module + ".bias"), eps);
        }
    }
}
