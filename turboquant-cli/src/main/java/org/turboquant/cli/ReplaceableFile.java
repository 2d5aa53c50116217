package org.turboquant.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.OutputExistsException;
import org.turboquant.loader.safetensors.SafetensorsFile;

/**
 * The rule for a command that writes one .safetensors file: an existing output is refused without --force, and with
 * it replaced only when its header says this tool's command wrote it, so --force can never destroy a user's file.
 */
final class ReplaceableFile {
    private ReplaceableFile() {}

    /**
     * @param command the command's name, for the message ("tq unpack")
     * @param ours    recognises the command's own output by its safetensors {@code __metadata__}
     */
    static void check(Path target, boolean force, String command, Predicate<Map<String, String>> ours)
            throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
        if (!force) throw new OutputExistsException(target, "already exists (use --force to replace it)");
        if (!writtenBy(target, ours))
            throw new OutputExistsException(target, "exists and was not written by " + command
                    + "; --force replaces only such a file, so move or remove it yourself");
    }

    private static boolean writtenBy(Path target, Predicate<Map<String, String>> ours) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) return false;
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            return f.metadata() != null && ours.test(f.metadata());
        } catch (BadInputException | IOException notSafetensors) {
            return false;
        }
    }
}
