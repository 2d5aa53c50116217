package org.turboquant.cli.fidelity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Evaluation texts: one per non-blank line; lines starting with '#' are comments. */
public final class TextCorpus {
    /** The corpus shipped with tq (written for this project; see the README beside it). */
    public static final String BUILT_IN = "org/turboquant/cli/corpus/sentences.txt";

    private TextCorpus() {}

    public static List<String> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static List<String> builtIn() throws IOException {
        try (InputStream in = TextCorpus.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) throw new IOException("built-in corpus " + BUILT_IN + " missing from the class path");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static List<String> parse(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
