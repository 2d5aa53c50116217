package org.turboquant.loader.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A command's output, written in a temporary directory beside its target and moved into place at the end, so that a
 * failed or interrupted run leaves the target as it was.
 *
 * <p>The temporary directory is {@code .NAME.tq-tmp-PID-N} (NAME the target's file name) and holds a marker file,
 * {@value #MARKER}, naming the process that made it. Nothing else is ever deleted as "stale": a later run on the same
 * target removes such a directory only when both the name and the marker are there and the process the marker names
 * is gone (SIGKILL, the OOM killer). SIGINT and SIGTERM run the shutdown hook, which removes it at once and reports it.
 *
 * <p>{@link #commitDirectory()} replaces a directory target by renames only: the old target is moved into the
 * temporary directory, the new output into its place, then the old one deleted. A kill between the two renames leaves
 * the old target inside the temporary directory, and the next run moves it back before anything else.
 */
public final class StagedOutput implements AutoCloseable {
    /** The marker file in every temporary directory this class makes. */
    public static final String MARKER = ".turboquant-temporary";
    static final String INFIX = ".tq-tmp-";
    private static final String NEW = "new", OLD = "old";

    private final Path target;
    private final Path tmp;
    private final Thread hook;
    private boolean committed;

    private StagedOutput(Path target, Path tmp, Thread hook) {
        this.target = target;
        this.tmp = tmp;
        this.hook = hook;
    }

    /**
     * Clears what earlier killed runs on {@code target} left behind, then makes a fresh temporary directory beside it.
     *
     * @param onInterrupt told the path of the temporary output the shutdown hook removed (SIGINT/SIGTERM mid-run)
     */
    public static StagedOutput begin(Path target, Consumer<Path> onInterrupt) throws IOException {
        Path t = target.toAbsolutePath().normalize();
        Files.createDirectories(t.getParent());
        removeStale(t);
        Path tmp = Files.createTempDirectory(t.getParent(), prefix(t));
        Files.writeString(tmp.resolve(MARKER), markerText(), StandardCharsets.UTF_8);
        Thread hook = new Thread(() -> {
            TempDirs.deleteQuietly(tmp);
            onInterrupt.accept(tmp);
        }, "turboquant-output-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return new StagedOutput(t, tmp, hook);
    }

    /** Where the output is written: a directory, created empty, whose name is the target's once committed. */
    public Path newDirectory() throws IOException {
        Path d = tmp.resolve(NEW);
        if (!Files.isDirectory(d)) Files.createDirectory(d); // umask applies: a pack is an ordinary directory
        return d;
    }

    /** A file to write the output to; {@link #commitFile} moves it onto the target. */
    public Path newFile() {
        return tmp.resolve(NEW);
    }

    /** The temporary directory (for messages and tests). */
    public Path temporaryDirectory() { return tmp; }

    /** Moves {@link #newDirectory()} into place; an existing target directory is swapped out and deleted. */
    public void commitDirectory() throws IOException {
        Path fresh = tmp.resolve(NEW);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.move(target, tmp.resolve(OLD), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        TempDirs.deleteQuietly(tmp); // the old target and the marker
    }

    /** Moves {@link #newFile()} onto the target, replacing a file there. */
    public void commitFile() throws IOException {
        Files.move(tmp.resolve(NEW), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        TempDirs.deleteQuietly(tmp);
    }

    /** Removes the temporary directory unless committed; the shutdown hook is no longer needed either way. */
    @Override
    public void close() {
        if (!committed) TempDirs.deleteQuietly(tmp);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it removes the directory itself
        }
    }

    private static String prefix(Path target) {
        return "." + target.getFileName() + INFIX + ProcessHandle.current().pid() + "-";
    }

    /** "pid PID started INSTANT": enough to tell a live owner from a dead one whose pid was reused. */
    private static String markerText() {
        ProcessHandle self = ProcessHandle.current();
        return "turboquant temporary output\npid " + self.pid() + "\nstarted "
                + self.info().startInstant().map(Instant::toString).orElse("?") + "\n";
    }

    /** Temporary directories of dead runs on {@code target} (name and marker); an old target inside goes back first. */
    static void removeStale(Path target) throws IOException {
        String start = "." + target.getFileName() + INFIX;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(target.getParent(),
                p -> p.getFileName().toString().startsWith(start))) {
            for (Path p : siblings) {
                Path marker = p.resolve(MARKER);
                if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(marker)
                        || ownerAlive(Files.readString(marker, StandardCharsets.UTF_8))) continue;
                Path old = p.resolve(OLD);
                if (Files.exists(old) && !Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // killed mid-swap: restore
                TempDirs.deleteRecursively(p);
            }
        }
    }

    private static boolean ownerAlive(String marker) {
        long pid = -1;
        String started = null;
        for (String line : marker.split("\n")) {
            if (line.startsWith("pid ")) pid = parse(line.substring(4));
            if (line.startsWith("started ")) started = line.substring(8);
        }
        if (pid < 0) return true; // not a marker we can read: leave it alone
        if (pid == ProcessHandle.current().pid()) return true; // another run in this JVM may be using it
        Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        if (owner.isEmpty() || !owner.get().isAlive()) return false;
        String s = started;
        return owner.get().info().startInstant().map(i -> s == null || s.equals("?") || i.toString().equals(s)).orElse(true);
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
