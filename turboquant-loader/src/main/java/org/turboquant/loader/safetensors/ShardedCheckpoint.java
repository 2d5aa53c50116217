package org.turboquant.loader.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import org.turboquant.loader.BadInputException;

/**
 * A Hugging Face checkpoint directory: either shards listed by {@code model.safetensors.index.json} (its
 * {@code weight_map} maps each tensor name to a shard file in the same directory) or a single
 * {@code model.safetensors}. Every shard is mapped and validated; the index and the shards must agree exactly: each
 * mapped tensor is in its shard, and no shard holds a tensor the index does not map to it.
 */
public final class ShardedCheckpoint implements AutoCloseable {

    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String SINGLE_FILE = "model.safetensors";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final Path directory;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> shardByTensor;
    private final List<TensorInfo> tensors;

    private ShardedCheckpoint(Path directory, List<SafetensorsFile> shards) {
        this.directory = directory;
        this.shards = List.copyOf(shards);
        Map<String, SafetensorsFile> owner = new HashMap<>();
        List<TensorInfo> all = new ArrayList<>();
        for (SafetensorsFile shard : shards) {
            for (TensorInfo t : shard.tensors()) {
                owner.put(t.name(), shard);
                all.add(t);
            }
        }
        this.shardByTensor = owner;
        this.tensors = List.copyOf(all);
    }

    /** Opens the checkpoint in {@code dir}. @throws BadInputException on a missing or inconsistent checkpoint */
    public static ShardedCheckpoint open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new BadInputException(dir, null, "not a directory");
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) return openIndexed(dir, index);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) return new ShardedCheckpoint(dir, List.of(SafetensorsFile.open(single)));
        throw new BadInputException(dir, null, "neither " + INDEX_FILE + " nor " + SINGLE_FILE + " in the directory");
    }

    private static ShardedCheckpoint openIndexed(Path dir, Path index) throws IOException {
        // shard file name -> tensor names the index maps to it; sorted so that shard order is stable
        Map<String, List<String>> expected = new TreeMap<>();
        readWeightMap(index).forEach((tensor, shard) -> expected.computeIfAbsent(shard, s -> new ArrayList<>())
                .add(tensor));
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                SafetensorsFile shard = SafetensorsFile.open(shardPath(dir, index, e.getKey(), e.getValue().get(0)));
                opened.add(shard);
                checkAgreement(index, shard, e.getValue());
            }
            return new ShardedCheckpoint(dir, opened);
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** weight_map in index order, tensor name to shard file name. */
    private static Map<String, String> readWeightMap(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (JsonProcessingException e) {
            throw new BadInputException(index, null, "invalid JSON: " + org.turboquant.loader.JsonErrors.describe(e), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new BadInputException(index, null, "no weight_map object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new BadInputException(index, e.getKey(), "weight_map value is not a file name");
            }
            result.put(e.getKey(), e.getValue().textValue());
        }
        if (result.isEmpty()) throw new BadInputException(index, null, "weight_map is empty");
        return result;
    }

    /** Shards must be plain file names inside the checkpoint directory. */
    private static Path shardPath(Path dir, Path index, String shard, String someTensor) {
        Path p = dir.resolve(shard).normalize();
        if (shard.isEmpty() || !dir.normalize().equals(p.getParent() == null ? null : p.getParent())
                || p.getFileName().toString().startsWith(".")) {
            throw new BadInputException(index, someTensor, "shard '" + shard + "' is not a file in the directory");
        }
        if (!Files.isRegularFile(p)) {
            throw new BadInputException(index, someTensor, "shard file '" + shard + "' does not exist");
        }
        return p;
    }

    private static void checkAgreement(Path index, SafetensorsFile shard, List<String> mapped) {
        for (String name : mapped) {
            if (!shard.contains(name)) {
                throw new BadInputException(index, name, "mapped to " + shard.path().getFileName()
                        + ", which does not hold it");
            }
        }
        if (shard.tensors().size() != mapped.size()) {
            Set<String> listed = new HashSet<>(mapped);
            String extra = shard.tensors().stream().map(TensorInfo::name).filter(n -> !listed.contains(n))
                    .findFirst().orElseThrow();
            throw new BadInputException(shard.path(), extra, "not mapped to this shard by " + INDEX_FILE);
        }
    }

    public Path directory() { return directory; }

    /** The shard files, sorted by file name (a single one without an index). */
    public List<SafetensorsFile> shards() { return shards; }

    /** All tensors: shards in file-name order, within a shard in offset order. */
    public List<TensorInfo> tensors() { return tensors; }

    /** The shard holding {@code name}. @throws NoSuchElementException when no shard has it */
    public SafetensorsFile shardOf(String name) {
        SafetensorsFile shard = shardByTensor.get(name);
        if (shard == null) throw new NoSuchElementException(directory + ": no tensor named '" + name + "'");
        return shard;
    }

    public MemorySegment segment(String name) { return shardOf(name).segment(name); }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
