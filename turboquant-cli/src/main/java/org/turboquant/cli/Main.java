package org.turboquant.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the tq command-line tool. */
@Command(name = "tq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "TurboQuant for the JVM: pack, inspect and evaluate quantized weights.",
        subcommands = {PackCommand.class, UnpackCommand.class, InspectCommand.class, EvalCommand.class,
                FidelityCommand.class, CompareCommand.class, DemoCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tq " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
