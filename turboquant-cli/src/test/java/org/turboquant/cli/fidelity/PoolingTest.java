package org.turboquant.cli.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PoolingTest {
    // batch 2, seq 3, dim 2. Text 0 has a padding token (0, 50) that mean pooling must ignore.
    private static final float[] HIDDEN = {
            3, 4, 1, 0, 0, 50,
            0, 2, 0, 6, 0, 1};
    private static final long[] MASK = {1, 1, 0, 1, 1, 1};

    @Test
    void meanAveragesOnlyRealTokensThenNormalizes() {
        float[][] v = Pooling.MEAN.pool(HIDDEN, MASK, 2, 3, 2);
        // text 0: mean of (3,4) and (1,0) = (2,2) → (0.7071, 0.7071); with the padding it would lean to +y.
        assertThat(v[0][0]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
        assertThat(v[0][1]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
        assertThat(v[1]).containsExactly(0f, 1f);
    }

    @Test
    void clsTakesTheFirstToken() {
        float[][] v = Pooling.CLS.pool(HIDDEN, MASK, 2, 3, 2);
        assertThat(v[0][0]).isCloseTo(0.6f, within(1e-6f));
        assertThat(v[0][1]).isCloseTo(0.8f, within(1e-6f));
        assertThat(v[1]).containsExactly(0f, 1f);
    }

    @Test
    void parsesCommandLineNames() {
        assertThat(Pooling.parse("cls")).isEqualTo(Pooling.CLS);
        assertThat(Pooling.parse(" Mean ")).isEqualTo(Pooling.MEAN);
    }
}
