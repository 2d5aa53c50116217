package org.turboquant.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.turboquant.loader.pack.ProgressListener;

/** A progress bar with ETA on stderr, counted in weights; silent when stderr is not a terminal or with --quiet. */
final class ConsoleProgress implements ProgressListener {
    private final String task;
    private ProgressBar bar;

    private ConsoleProgress(String task) {
        this.task = task;
    }

    static ProgressListener create(String task, boolean quiet) {
        return quiet || System.console() == null ? ProgressListener.NONE : new ConsoleProgress(task);
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

    private static String shorten(String name) {
        return name.length() <= 32 ? name : "…" + name.substring(name.length() - 31);
    }
}
