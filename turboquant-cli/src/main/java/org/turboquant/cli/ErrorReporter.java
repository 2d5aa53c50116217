package org.turboquant.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import org.turboquant.loader.BadInputException;
import picocli.CommandLine;

/** Turns every failure into one line on stderr and an exit code: 1 usage, 2 bad input, 3 I/O. */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    static final int USAGE = 1, BAD_INPUT = 2, IO = 3;

    private final boolean debug;

    ErrorReporter(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (debug) e.printStackTrace(cmd.getErr());
        cmd.getErr().println("tq " + cmd.getCommandName() + ": " + describe(e));
        return exitCode(e);
    }

    static int exitCode(Throwable e) {
        if (e instanceof BadInputException) return BAD_INPUT;
        if (e instanceof org.turboquant.loader.OutputExistsException) return USAGE; // the output named is taken
        if (e instanceof IOException || e instanceof UncheckedIOException) return IO;
        return USAGE;
    }

    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u) e = u.getCause();
        if (e instanceof FileAlreadyExistsException f)
            return f.getFile() + ": " + (f.getReason() == null ? "already exists" : f.getReason());
        if (e instanceof NoSuchFileException f) return f.getFile() + ": no such file or directory";
        if (e instanceof java.util.regex.PatternSyntaxException p) // its getMessage() spans three lines
            return "invalid regular expression '" + p.getPattern() + "': " + p.getDescription() + " at index "
                    + p.getIndex();
        if (e instanceof BadInputException || e instanceof IllegalArgumentException) return e.getMessage();
        String msg = e.getMessage();
        return (e instanceof IOException ? "I/O error: " : "error: ") + (msg == null ? e.getClass().getSimpleName() : msg);
    }

    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("tq " + cmd.getCommandName() + ": " + e.getMessage() + " (see tq "
                + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help)");
        return USAGE;
    }
}
