package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq inspect. */
@Command(name = "inspect", description = "(not implemented yet)")
public final class InspectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq inspect: not implemented yet");
        return 1;
    }
}
