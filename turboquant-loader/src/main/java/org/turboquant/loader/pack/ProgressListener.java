package org.turboquant.loader.pack;

/** Progress of long work, in weights processed. Called from one thread at a time. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {};

    /** The total amount of work is known. */
    default void start(long totalWeights) {}

    /** Work is starting on one tensor. */
    default void tensor(String name) {}

    default void advance(long weights) {}

    default void finish() {}

    /**
     * The JVM is shutting down mid-run (SIGINT, SIGTERM) and the temporary output {@code removed} has been deleted.
     * Called from a shutdown hook thread.
     */
    default void interrupted(java.nio.file.Path removed) {}
}
