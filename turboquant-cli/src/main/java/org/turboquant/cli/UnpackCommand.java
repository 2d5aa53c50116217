package org.turboquant.cli;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tq unpack: rebuild a checkpoint from a pack. */
@Command(name = "unpack", mixinStandardHelpOptions = true,
        description = "Reconstruct a .safetensors checkpoint with the original tensor names and shapes from a pack.")
final class UnpackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PACK") Path packDir;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.safetensors") Path output;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 | f16 | bf16 for float tensors (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--force", description = "Replace OUT if it exists.") boolean force;

    @Option(names = {"-q", "--quiet"}) boolean quiet;

    @Override
    public Integer call() throws Exception {
        DType out = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, got '" + dtype + "'");
        };
        if (Files.exists(output) && !force)
            throw new FileAlreadyExistsException(output.toString(), null, "already exists (use --force to replace it)");
        Path target = output.toAbsolutePath();
        if (target.normalize().startsWith(packDir.toAbsolutePath().normalize())) // --force would overwrite the pack
            throw new org.turboquant.loader.BadInputException(output, null,
                    "is inside the pack " + packDir + "; write it elsewhere");
        Files.createDirectories(target.getParent());
        // createFile honours the umask (createTempFile would make the checkpoint 0600 after the rename)
        Path tmp = Files.createFile(target.resolveSibling(
                "." + target.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp"));
        try (TqPack pack = TqPack.open(packDir)) {
            List<TensorSpec> specs = new ArrayList<>();
            for (TqTensor t : pack.tensors()) specs.add(TensorSpec.of(t.name(), dtypeOf(t, out), t.shape()));
            try (SafetensorsWriter w = SafetensorsWriter.create(tmp, specs,
                    new java.util.TreeMap<>(Map.of("format", "pt", "turboquant_pack", pack.manifest().tool())))) {
                for (TqTensor t : pack.tensors()) {
                    DType d = dtypeOf(t, out);
                    if (d.isFloat()) {
                        float[] v = t.dequantize();
                        w.writeFloats(v, 0, v.length);
                    } else {
                        w.write(pack.rawKept(t.name()));
                    }
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (!quiet) System.out.println("wrote " + target + " (" + Sizes.human(Files.size(target)) + ")");
        return 0;
    }

    /** Float tensors in the requested dtype; other kept tensors as they were. */
    private static DType dtypeOf(TqTensor t, DType floatType) {
        DType source = DType.fromId(t.manifestEntry().dtype()).orElseThrow();
        return source.isFloat() ? floatType : source;
    }
}
