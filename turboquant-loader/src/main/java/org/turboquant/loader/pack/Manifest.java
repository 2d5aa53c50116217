package org.turboquant.loader.pack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;

/**
 * {@code quant_manifest.json}: what a pack holds and how to decode it (docs/FORMAT.md, "Pack files"). Written
 * with sorted keys and no timestamps, so the same input and options give the same bytes.
 */
public record Manifest(String format, int version, String tool, SourceInfo source, Map<String, Object> options,
                       Totals totals, List<TensorEntry> tensors) {

    public static final String FORMAT = "turboquant-pack";
    /** Version of a pack whose TurboQuant tensors all have one width; readable by every release. */
    public static final int VERSION = 1;
    /** Version of a pack holding at least one mixed-width tensor (fields wide_bits and wide_units). */
    public static final int VERSION_MIXED = 2;
    /**
     * Version of a pack holding at least one tensor whose codes are not in row order (field {@code code_layout},
     * e.g. {@code row_groups_16}: the table kernels' order, multiplied in place when mapped).
     */
    public static final int VERSION_CODE_LAYOUT = 3;
    /** The newest version this tool reads and writes. */
    public static final int LATEST = VERSION_CODE_LAYOUT;
    public static final String FILE_NAME = "quant_manifest.json";
    public static final String WEIGHTS_FILE = "turboquant_weights.safetensors";

    /**
     * The input the pack was made from.
     *
     * @param metadata the source's own metadata (a safetensors {@code __metadata__}), written back by unpack; null
     *                 when it had none (and in packs made before it was recorded)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SourceInfo(String file, String sha256, long weights, long bytes, Map<String, String> metadata) {
        public SourceInfo(String file, String sha256, long weights, long bytes) {
            this(file, sha256, weights, bytes, null);
        }
    }

    /** Sizes over the whole pack; bits per weight count every part (indices, scales, codebooks). */
    public record Totals(long weights, long quantizedWeights, long packBytes, double bitsPerWeight,
                         double quantizedBitsPerWeight) {}

    /**
     * One source tensor.
     *
     * @param shape       the source shape (decoding returns this shape)
     * @param transposed  the quantized matrix is the transpose of the source (ONNX MatMul weights are [in, out];
     *                    rows of the quantized matrix are always weight vectors along the reduction axis)
     * @param rows        rows of the quantized matrix
     * @param cols        columns of the quantized matrix (the reduction dimension)
     * @param seed        the tensor's rotation seed as 16 hex digits (an unsigned 64-bit value)
     * @param parts       role (codes, scales, centroids, quants, data) → tensor name in the weights file
     * @param sha256      hex SHA-256 of {@link #decodeFields()} followed by the parts' bytes in the order they
     *                    appear in the weights file
     * @param wideBits    mixed-width TurboQuant only: the wide width ({@code bits} is then the narrow one)
     * @param wideUnits   mixed-width TurboQuant only: how many allocation units are wide
     * @param codeLayout  version 3, uniform TurboQuant only: the order of the codes ({@code rows} or
     *                    {@code row_groups_16}, see {@link org.turboquant.core.CodeLayout}); absent means rows
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TensorEntry(String name, String dtype, long[] shape, String method, Integer bits, Integer blockSize,
                              String rotation, String seed, String normDtype, Boolean normCorrection,
                              boolean transposed, int rows, int cols, Map<String, String> parts, String sha256,
                              double bitsPerWeight, String keptReason, Integer wideBits, Long wideUnits,
                              String codeLayout) {

        public Method methodEnum() {
            return Method.parse(method);
        }

        TensorEntry withSha256(String hex) {
            return new TensorEntry(name, dtype, shape, method, bits, blockSize, rotation, seed, normDtype,
                    normCorrection, transposed, rows, cols, parts, hex, bitsPerWeight, keptReason, wideBits, wideUnits,
                    codeLayout);
        }

        /** Whether this is a mixed-width TurboQuant tensor. */
        public boolean mixed() {
            return wideBits != null;
        }

        /**
         * The fields decoding depends on, one "key=value" per line in this fixed order, UTF-8; hashed ahead of the
         * part bytes so that {@code --verify} also catches an edited seed, shape or bit width.
         */
        byte[] decodeFields() {
            String s = "name=" + name + "\ndtype=" + dtype + "\nshape=" + java.util.Arrays.toString(shape)
                    + "\nmethod=" + method + "\nbits=" + bits + "\nblock_size=" + blockSize + "\nrotation=" + rotation
                    + "\nseed=" + seed + "\nnorm_dtype=" + normDtype + "\nnorm_correction=" + normCorrection
                    + "\ntransposed=" + transposed + "\nrows=" + rows + "\ncols=" + cols + "\n"
                    + (mixed() ? "wide_bits=" + wideBits + "\nwide_units=" + wideUnits + "\n" : "")
                    + (codeLayout != null ? "code_layout=" + codeLayout + "\n" : "");
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
}
