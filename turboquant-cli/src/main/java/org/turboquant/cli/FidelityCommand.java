package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq fidelity. */
@Command(name = "fidelity", description = "(not implemented yet)")
public final class FidelityCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq fidelity: not implemented yet");
        return 1;
    }
}
