package org.turboquant.loader.pack;

import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * One tensor's SHA-256 check, done at most once: {@link #verifyOnce()} hashes the tensor's decode fields and parts
 * on the first call (from whichever thread gets there first) and is a volatile read afterwards. A failed check is
 * remembered, so every later use fails the same way. {@link #OFF} never checks ({@code TqPack.Options.verify(false)}).
 */
final class TensorChecksum {
    static final TensorChecksum OFF = new TensorChecksum(null, null);

    private final SafetensorsFile weights;
    private final Manifest.TensorEntry entry;
    private volatile boolean verified;
    private volatile BadInputException failure;

    TensorChecksum(SafetensorsFile weights, Manifest.TensorEntry entry) {
        this.weights = weights;
        this.entry = entry;
        this.verified = weights == null;
    }

    /** Checks the tensor unless already done. @throws BadInputException naming the tensor when its bytes differ */
    void verifyOnce() {
        if (verified) return;
        synchronized (this) {
            if (failure != null) throw failure;
            if (verified) return;
            String actual = sha256(weights, entry);
            if (!actual.equals(entry.sha256())) {
                failure = new BadInputException(weights.path(), entry.name(), "checksum mismatch (sha256 " + actual
                        + ", manifest says " + entry.sha256() + "): the pack is corrupt");
                throw failure;
            }
            verified = true;
        }
    }

    /** Hex SHA-256 of the entry's decode fields followed by its parts in file order (docs/FORMAT.md). */
    static String sha256(SafetensorsFile weights, Manifest.TensorEntry e) {
        MessageDigest digest = Sha256s.newDigest();
        digest.update(e.decodeFields());
        e.parts().values().stream().sorted(Comparator.comparingLong(p -> weights.info(p).begin()))
                .forEach(p -> Sha256s.update(digest, weights.segment(p)));
        return HexFormat.of().formatHex(digest.digest());
    }
}
