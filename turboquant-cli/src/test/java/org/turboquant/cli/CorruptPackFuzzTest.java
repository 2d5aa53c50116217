package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.pack.Manifest;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.TqTensor;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.SafetensorsFile;
import org.turboquant.loader.safetensors.SafetensorsWriter;
import org.turboquant.loader.safetensors.TensorSpec;
import org.turboquant.loader.safetensors.TensorInfo;

/**
 * Bounded byte-flip fuzz of a pack's weights file (issue 11): one flipped byte anywhere — in every part of every
 * tensor, in the length prefix, the JSON header and its padding — makes {@code tq unpack} and {@code tq eval} exit 2
 * with one line naming the tensor (or the file, for the header), and a {@link TqPack} fail on first use of exactly
 * that tensor. Fixed seed; positions: each part's first and last byte and two inside, plus eight header bytes.
 */
class CorruptPackFuzzTest {
    private static final long SEED = 20261203L;

    @TempDir static Path dir;
    static Path model, pristine;
    /** Part name → the manifest tensor that owns it. */
    static final Map<String, String> owner = new LinkedHashMap<>();

    @BeforeAll
    static void packTinyModel() throws IOException {
        model = dir.resolve("model.safetensors");
        Random rnd = new Random(SEED);
        List<TensorSpec> specs = List.of(TensorSpec.of("layers.0.q.weight", DType.F32, 48, 256),
                TensorSpec.of("layers.0.k.weight", DType.BF16, 32, 128), TensorSpec.of("layers.0.norm.weight", DType.F32, 64));
        try (SafetensorsWriter w = SafetensorsWriter.create(model, specs, Map.of())) {
            for (TensorSpec s : specs) {
                float[] v = new float[Math.toIntExact(org.turboquant.loader.safetensors.Shapes.numel(s.shape()))];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
                w.writeFloats(v, 0, v.length);
            }
        }
        pristine = dir.resolve("pristine");
        CliRun run = CliRun.of("pack", model.toString(), "-o", pristine.toString(), "--bits-for", "k\\.weight=3", "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (TqPack pack = TqPack.open(pristine)) {
            for (TqTensor t : pack.tensors())
                for (String part : t.manifestEntry().parts().values()) owner.put(part, t.name());
            assertThat(pack.tensors()).extracting(TqTensor::quantized).containsExactly(true, true, false);
        }
    }

    /** A byte position of the weights file and the tensor whose bytes it is (null: the header). */
    record Flip(long position, String tensor) {}

    static List<Flip> positions() throws IOException {
        Random rnd = new Random(SEED);
        List<Flip> flips = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(pristine.resolve(Manifest.WEIGHTS_FILE))) {
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactlyInAnyOrderElementsOf(owner.keySet());
            long header = f.dataStart();
            for (long p : new long[] {0, 1, Long.BYTES, header - 1}) flips.add(new Flip(p, null));
            for (int i = 0; i < 4; i++) flips.add(new Flip(Long.BYTES + 1 + rnd.nextLong(header - Long.BYTES - 2), null));
            for (TensorInfo t : f.tensors()) {
                long begin = header + t.begin(), size = t.byteSize();
                for (long p : new long[] {begin, begin + size - 1, begin + rnd.nextLong(size), begin + rnd.nextLong(size)})
                    flips.add(new Flip(p, owner.get(t.name())));
            }
        }
        return flips;
    }

    @Test
    void everyFlippedByteFailsUnpackEvalAndFirstUseNamingTheTensor() throws IOException {
        Random masks = new Random(SEED + 1);
        List<Flip> flips = positions();
        assertThat(flips).hasSizeGreaterThanOrEqualTo(30);
        int i = 0;
        for (Flip flip : flips) {
            Path pack = copyWithFlip(dir.resolve("p" + i++), flip.position(), (byte) (1 + masks.nextInt(255)));
            String where = "byte " + flip.position() + (flip.tensor() == null ? " (header)" : " of " + flip.tensor());
            String named = flip.tensor() == null ? Manifest.WEIGHTS_FILE : "'" + flip.tensor() + "'";

            Path out = dir.resolve("u" + i + ".safetensors");
            CliRun unpack = CliRun.of("unpack", pack.toString(), "-o", out.toString(), "--quiet");
            assertFailsNaming(unpack, "tq unpack: ", named, where);
            assertThat(out).as(where).doesNotExist();
            assertNoTemporaryBeside(out);

            assertFailsNaming(CliRun.of("eval", model.toString(), pack.toString(), "--quiet"), "tq eval: ", named, where);

            if (flip.tensor() == null) {
                assertThatThrownBy(() -> TqPack.open(pack).close()).as(where).isInstanceOf(BadInputException.class)
                        .hasMessageContaining(Manifest.WEIGHTS_FILE);
            } else {
                assertOnlyThatTensorFails(pack, flip.tensor(), where);
            }
        }
    }

    /** The lazy check: open succeeds, the corrupt tensor fails on first use (and again on the next), the rest work. */
    private static void assertOnlyThatTensorFails(Path dir, String corrupt, String where) throws IOException {
        try (TqPack pack = TqPack.open(dir)) {
            for (TqTensor t : pack.tensors()) {
                if (t.name().equals(corrupt)) {
                    for (int attempt = 0; attempt < 2; attempt++)
                        assertThatThrownBy(() -> use(t)).as(where).isInstanceOf(BadInputException.class)
                                .hasMessageContaining("'" + corrupt + "'").hasMessageContaining("checksum mismatch");
                } else {
                    assertThatCode(() -> use(t)).as(where + ", " + t.name()).doesNotThrowAnyException();
                }
            }
        }
        try (TqPack unchecked = TqPack.open(dir, TqPack.Options.defaults().verify(false))) { // the explicit opt-out
            assertThatCode(() -> use(unchecked.tensor(corrupt))).as(where).doesNotThrowAnyException();
        }
    }

    private static void use(TqTensor t) {
        float[] row = new float[t.quantized() ? t.cols() : Math.toIntExact(t.numel())];
        if (t.quantized()) t.row(0, row, 0);
        else System.arraycopy(t.dequantize(), 0, row, 0, row.length);
    }

    private static void assertFailsNaming(CliRun run, String prefix, String named, String where) {
        assertThat(run.exitCode()).as(where + ": " + run.err()).isEqualTo(2);
        assertThat(run.errLines()).as(where).hasSize(1);
        assertThat(run.errLines().getFirst()).as(where).startsWith(prefix).contains(named);
        assertThat(run.err()).as(where).doesNotContain("\tat ");
    }

    private static Path copyWithFlip(Path to, long position, byte mask) throws IOException {
        Files.createDirectory(to);
        for (String f : List.of(Manifest.FILE_NAME, Manifest.WEIGHTS_FILE)) Files.copy(pristine.resolve(f), to.resolve(f));
        Path weights = to.resolve(Manifest.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        bytes[Math.toIntExact(position)] ^= mask;
        Files.write(weights, bytes);
        return to;
    }

    private static void assertNoTemporaryBeside(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tq-tmp-"));
        }
    }
}
