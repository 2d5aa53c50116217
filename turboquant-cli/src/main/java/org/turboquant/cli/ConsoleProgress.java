package org.turboquant.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.turboquant.loader.pack.ProgressListener;

/**
 * Progress on stderr, counted in weights: a bar with ETA on a terminal, a plain line every few seconds otherwise
 * ({@link PlainProgress}, for CI logs), nothing with --quiet. Whatever the mode, an interrupted run (SIGINT,
 * SIGTERM) says in one line which temporary output it removed.
 */
class ConsoleProgress implements ProgressListener {
    private final String task;
    private ProgressBar bar;

    ConsoleProgress(String task) {
        this.task = task;
    }

    static ProgressListener create(String task, boolean quiet) {
        if (quiet) return new Silent();
        java.io.Console console = System.console();
        return console != null && console.isTerminal() ? new ConsoleProgress(task)
                : new PlainProgress(task, System.err, PlainProgress.INTERVAL_NANOS, System::nanoTime);
    }

    /** Only the interruption line. */
    static class Silent implements ProgressListener {
        @Override
        public void interrupted(Path removed) {
            System.err.println("tq: interrupted, removed temporary output " + removed);
        }
    }

    @Override
    public void interrupted(Path removed) {
        new Silent().interrupted(removed);
    }

    @Override
    public void start(long totalWeights) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalWeights).setUnit(" Mw", 1_000_000)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
    }

    @Override
    public void tensor(String name) {
        if (bar != null) bar.setExtraMessage(" " + shorten(name)); // the bar prints it right after the speed
    }

    @Override
    public void advance(long weights) {
        if (bar != null) bar.stepBy(weights);
    }

    @Override
    public void finish() {
        if (bar != null) bar.close();
    }

    static String shorten(String name) {
        return name.length() <= 32 ? name : "…" + name.substring(name.length() - 31);
    }

    /** One plain line ("pack: 42% (310/740 M weights), 51 s, at NAME") at most every interval; no escape codes. */
    static final class PlainProgress extends Silent {
        static final long INTERVAL_NANOS = 5_000_000_000L;

        private final String task;
        private final PrintStream out;
        private final long interval;
        private final java.util.function.LongSupplier clock;
        private long total, done, startedAt, lastLine;
        private String tensor = "";

        PlainProgress(String task, PrintStream out, long intervalNanos, java.util.function.LongSupplier clock) {
            this.task = task;
            this.out = out;
            this.interval = intervalNanos;
            this.clock = clock;
        }

        @Override
        public void start(long totalWeights) {
            total = totalWeights;
            startedAt = lastLine = clock.getAsLong();
        }

        @Override
        public void tensor(String name) {
            tensor = name;
        }

        @Override
        public void advance(long weights) {
            done += weights;
            long now = clock.getAsLong();
            if (now - lastLine >= interval && done < total) {
                lastLine = now;
                out.printf(java.util.Locale.ROOT, "%s: %d%% (%.0f/%.0f M weights), %.0f s%s%n", task,
                        total == 0 ? 100 : 100 * done / total, done / 1e6, total / 1e6, (now - startedAt) / 1e9,
                        tensor.isEmpty() ? "" : ", at " + shorten(tensor)); // synth reports no tensor names
            }
        }
    }
}
