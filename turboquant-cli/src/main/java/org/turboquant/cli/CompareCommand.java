package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq compare. */
@Command(name = "compare", description = "(not implemented yet)")
public final class CompareCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq compare: not implemented yet");
        return 1;
    }
}
