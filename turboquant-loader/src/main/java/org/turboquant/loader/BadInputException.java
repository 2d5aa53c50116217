package org.turboquant.loader;

import java.nio.file.Path;

/**
 * Bad or corrupt input: one line naming the file, the tensor (when there is one) and what is wrong.
 * The CLI maps it to exit code 2.
 */
public class BadInputException extends RuntimeException {
    private final transient Path file;
    private final String tensor;

    public BadInputException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public BadInputException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() { return file; }

    /** The tensor concerned, or null when the problem is with the file as a whole. */
    public String tensor() { return tensor; }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file).append(": ");
        if (tensor != null) sb.append("tensor '").append(tensor).append("': ");
        return sb.append(problem).toString();
    }
}
