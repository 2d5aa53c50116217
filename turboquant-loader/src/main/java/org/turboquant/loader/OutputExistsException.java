package org.turboquant.loader;

import java.nio.file.FileAlreadyExistsException;

/**
 * The output a command was told to write exists and may not be replaced (no --force, or it is not something the tool
 * wrote): a usage error, unlike the I/O failure of a plain {@link FileAlreadyExistsException}.
 */
public final class OutputExistsException extends FileAlreadyExistsException {
    public OutputExistsException(java.nio.file.Path file, String reason) {
        super(file.toString(), null, reason);
    }
}
