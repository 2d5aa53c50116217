package org.turboquant.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the tq command line, with what it printed. */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@link Main#run} with stdout and stderr captured (tests of this module run one at a time). */
    static synchronized CliRun of(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code = Main.run(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The lines on stderr, blank lines and the JVM's incubator warning aside. */
    java.util.List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank() && !l.contains("incubator")).toList();
    }
}
