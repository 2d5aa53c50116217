package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq pack. */
@Command(name = "pack", description = "(not implemented yet)")
public final class PackCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq pack: not implemented yet");
        return 1;
    }
}
