package org.turboquant.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.ProgressListener;
import org.turboquant.loader.pack.StagedOutput;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.FloatCodec;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * tq unpack: rebuild a checkpoint from a pack. Streams row by row (a transposed tensor through a mapping of its
 * output range), so memory stays at a few rows whatever the tensor size.
 */
@Command(name = "unpack", mixinStandardHelpOptions = true,
        description = "Reconstruct a .safetensors checkpoint with the original tensor names, shapes and metadata "
                + "from a pack; every tensor's SHA-256 is checked before it is written.")
final class UnpackCommand implements Callable<Integer> {
    /** The metadata key unpack adds, naming the tool; --force replaces only files that carry it. */
    static final String PACK_KEY = "turboquant_pack";
    private static final int CHUNK = 1 << 16;

    @Parameters(index = "0", paramLabel = "PACK") Path packDir;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.safetensors") Path output;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 | f16 | bf16 for float tensors (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--force", description = "Replace OUT if it is a checkpoint tq unpack wrote; anything else is refused.")
    boolean force;

    @Option(names = "--no-verify", description = "Skip the SHA-256 check of each tensor.") boolean noVerify;

    @Option(names = {"-q", "--quiet"}) boolean quiet;

    @Override
    public Integer call() throws Exception {
        DType out = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, got '" + dtype + "'");
        };
        Path target = output.toAbsolutePath().normalize();
        if (target.startsWith(packDir.toAbsolutePath().normalize())) // --force would overwrite the pack
            throw new BadInputException(output, null, "is inside the pack " + packDir + "; write it elsewhere");
        checkOutput(target, force);
        ProgressListener progress = ConsoleProgress.create("unpack", quiet);
        try (TqPack pack = TqPack.open(packDir, TqPack.Options.defaults().verify(!noVerify));
             StagedOutput staged = StagedOutput.begin(target, progress::interrupted)) {
            List<TqTensor> tensors = pack.tensors().stream().filter(t -> !foldedScale(pack, t)).toList();
            if (!noVerify) // left out, but a corrupt pack is still refused
                pack.tensors().stream().filter(t -> foldedScale(pack, t)).forEach(t -> pack.verify(t.name()));
            List<TensorSpec> specs = new ArrayList<>();
            for (TqTensor t : tensors) specs.add(TensorSpec.of(t.name(), dtypeOf(t, out), t.shape()));
            Map<String, String> metadata = new TreeMap<>();
            Map<String, String> source = pack.manifest().source().metadata();
            if (source != null) metadata.putAll(source);
            else metadata.put("format", "pt");
            metadata.put(PACK_KEY, pack.manifest().tool());
            // createFile honours the umask (createTempFile would make the checkpoint 0600 after the rename)
            Path tmp = Files.createFile(staged.newFile());
            progress.start(tensors.stream().mapToLong(TqTensor::numel).sum());
            try (SafetensorsWriter w = SafetensorsWriter.create(tmp, specs, metadata)) {
                for (TqTensor t : tensors) {
                    progress.tensor(t.name());
                    write(pack, t, dtypeOf(t, out), w);
                    progress.advance(t.numel());
                }
            }
            progress.finish();
            staged.commitFile();
        }
        if (!quiet) System.out.println("wrote " + target + " (" + Sizes.human(Files.size(target)) + ")");
        return 0;
    }

    /** Without --force an existing OUT is refused; with it, only a file tq unpack wrote is replaced. */
    static void checkOutput(Path target, boolean force) throws IOException {
        ReplaceableFile.check(target, force, "tq unpack", metadata -> metadata.containsKey(PACK_KEY));
    }

    /** Streams one tensor into the writer in the source's layout. */
    private static void write(TqPack pack, TqTensor t, DType d, SafetensorsWriter w) throws IOException {
        if (!t.quantized()) {
            MemorySegment raw = pack.rawKept(t.name()); // verified by rawKept
            DType stored = DType.fromId(t.manifestEntry().dtype()).orElseThrow();
            if (stored == d) {
                w.write(raw);
                return;
            }
            float[] buf = new float[CHUNK]; // a float converted to the requested float dtype, a chunk at a time
            long n = t.numel();
            for (long off = 0; off < n; off += CHUNK) {
                int len = (int) Math.min(CHUNK, n - off);
                FloatCodec.decode(raw, stored, off, buf, 0, len);
                w.writeFloats(buf, 0, len);
            }
            return;
        }
        int rows = t.rows(), cols = t.cols();
        if (!t.transposed()) {
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                t.row(r, row, 0);
                w.writeFloats(row, 0, cols);
            }
            return;
        }
        // the source is [cols, rows]: row r of the quantized matrix is column r of the output
        int band = Math.max(1, Math.min(rows, CHUNK / Math.max(cols, 1)));
        float[] rowsBuf = new float[band * cols], column = new float[band];
        w.writeMapped(seg -> {
            for (int r0 = 0; r0 < rows; r0 += band) {
                int k = Math.min(band, rows - r0);
                for (int i = 0; i < k; i++) t.row(r0 + i, rowsBuf, i * cols);
                for (int c = 0; c < cols; c++) {
                    for (int i = 0; i < k; i++) column[i] = rowsBuf[i * cols + c];
                    FloatCodec.encode(column, 0, k, d, seg, ((long) c * rows + r0) * d.byteSize());
                }
            }
        });
    }

    /**
     * An FP8 weight's {@code _scale_inv} companion is left out when the weight was quantized: the pack holds the
     * weight's real values (scales applied), so the scales would apply twice.
     */
    private static boolean foldedScale(TqPack pack, TqTensor t) {
        String n = t.name();
        if (!n.endsWith("_scale_inv")) return false;
        String weight = n.substring(0, n.length() - "_scale_inv".length());
        if (!pack.names().contains(weight)) return false;
        TqTensor w = pack.tensor(weight);
        return w.quantized() && isFp8(DType.fromId(w.manifestEntry().dtype()).orElseThrow());
    }

    private static boolean isFp8(DType d) {
        return d == DType.F8_E4M3 || d == DType.F8_E5M2;
    }

    /**
     * Quantized tensors and kept floats in the requested dtype; other kept tensors as they were, FP8 ones included
     * (their scales stay beside them).
     */
    private static DType dtypeOf(TqTensor t, DType floatType) {
        DType source = DType.fromId(t.manifestEntry().dtype()).orElseThrow();
        if (t.quantized()) return floatType;
        return source.isFloat() && !isFp8(source) ? floatType : source;
    }
}
