package org.turboquant.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the tq command-line tool. */
@Command(name = "tq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "TurboQuant for the JVM: pack, inspect and evaluate quantized weights, and embed texts with the Java runtime.",
        subcommands = {PackCommand.class, UnpackCommand.class, InspectCommand.class, EvalCommand.class,
                FidelityCommand.class, EmbedCommand.class, CompareCommand.class, DemoCommand.class, SynthCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 usage, 2 bad or corrupt input, 3 I/O error."})
public final class Main {

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in-process and returns its exit code (tests use this). */
    public static int run(String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        try {
            CommandLine cli = new CommandLine(new Main());
            if (args.length == 0) { // a bare ./tq: the overview, not "Missing required subcommand"
                cli.usage(System.err);
                return ErrorReporter.USAGE;
            }
            return cli
                    .setExecutionExceptionHandler(new ErrorReporter(debug))
                    .setParameterExceptionHandler(ErrorReporter::usageError)
                    .execute(args);
        } catch (OutOfMemoryError e) { // picocli rethrows errors; a user still gets one line
            if (debug) e.printStackTrace();
            System.err.println("tq: out of memory (" + e.getMessage() + "); raise the heap, e.g. JAVA_OPTS=-Xmx8g");
            return ErrorReporter.IO;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {org.turboquant.loader.pack.ToolVersion.get() + " (Java " + Runtime.version() + ", "
                    + org.turboquant.simd.TurboQuantKernels.get().name() + " kernels)"};
        }
    }
}
