package org.turboquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The plain progress line of a run whose output is not a terminal (CI logs): one line per interval, no escapes. */
class PlainProgressTest {
    private long now;

    private String run(String tensor) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var p = new ConsoleProgress.PlainProgress("pack", new PrintStream(bytes, true, StandardCharsets.UTF_8), 10,
                () -> now);
        now = 0;
        p.start(1_000_000_000L);
        if (tensor != null) p.tensor(tensor);
        for (int i = 0; i < 4; i++) {
            now += 6; // every other advance crosses the interval of 10
            p.advance(100_000_000L);
        }
        p.finish();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void namesTheTensorWhenThereIsOne() {
        assertThat(run("model.layers.0.mlp.down_proj.weight").lines().toList()).containsExactly(
                "pack: 20% (200/1000 M weights), 0 s, at …l.layers.0.mlp.down_proj.weight",
                "pack: 40% (400/1000 M weights), 0 s, at …l.layers.0.mlp.down_proj.weight");
    }

    @Test
    void endsCleanlyWithoutOne() { // tq synth reports weights only
        assertThat(run(null).lines().toList()).containsExactly("pack: 20% (200/1000 M weights), 0 s",
                "pack: 40% (400/1000 M weights), 0 s");
    }
}
