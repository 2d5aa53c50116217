package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq eval. */
@Command(name = "eval", description = "(not implemented yet)")
public final class EvalCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq eval: not implemented yet");
        return 1;
    }
}
