package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq demo. */
@Command(name = "demo", description = "(not implemented yet)")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq demo: not implemented yet");
        return 1;
    }
}
