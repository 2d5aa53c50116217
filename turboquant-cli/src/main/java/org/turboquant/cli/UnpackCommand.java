package org.turboquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** TODO: tq unpack. */
@Command(name = "unpack", description = "(not implemented yet)")
public final class UnpackCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("tq unpack: not implemented yet");
        return 1;
    }
}
