package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/** The check values printed in docs/FORMAT.md: if one of these changes, the format changed. */
class FormatVectorsTest {

    @Test
    void randomStream() {
        SplitMix64 random = new SplitMix64(42);
        assertThat(random.nextLong()).isEqualTo(0xbdd732262feb6e95L);
        assertThat(random.nextLong()).isEqualTo(0x28efe333b266f103L);
        assertThat(random.nextLong()).isEqualTo(0x47526757130f9f52L);
        assertThat(new SplitMix64(42).nextDouble()).isEqualTo(0.7415648787718233);
        SplitMix64 normals = new SplitMix64(42);
        assertThat(normals.nextGaussian()).isEqualTo(0.8822489062222688);
        assertThat(normals.nextGaussian()).isEqualTo(1.388473285287707);
        assertThat(normals.nextGaussian()).isEqualTo(-0.4508498757188601);
    }

    @Test
    void seeds() {
        assertThat(Seeds.fnv1a64("layers.0.weight")).isEqualTo(0x718a5d75ec8bf0d9L);
        assertThat(Seeds.tensorSeed(42, "layers.0.weight")).isEqualTo(0xff7e2c9cdb078fbcL);
        assertThat(Seeds.qjlSeed(0xff7e2c9cdb078fbcL)).isEqualTo(0x216233fc733da33cL);
    }

    @Test
    void rotations() {
        assertThat(new HadamardRotation(8, 42).signs()).containsExactly(-1f, 1f, 1f, 1f, 1f, -1f, 1f, -1f);
        double[] p = new QrRotation(2, 7).matrixDouble();
        assertThat(p[0]).isCloseTo(0.4684485617518368, offset(1e-15));
        assertThat(p[1]).isCloseTo(-0.8834907724434, offset(1e-15));
        assertThat(p[2]).isCloseTo(-0.8834907724434, offset(1e-15));
        assertThat(p[3]).isCloseTo(-0.4684485617518368, offset(1e-15));
    }

    @Test
    void codebooks() {
        assertThat(Codebook.of(128, 2).centroidsDouble()).containsExactly(
                new double[] {-0.13304152024954458, -0.03999159519763225, 0.03999159519763225, 0.13304152024954458},
                offset(1e-14));
        assertThat(Codebook.of(128, 2).distortion()).isCloseTo(0.11600007, offset(1e-8));
        assertThat(Codebook.of(2, 1).centroidsDouble()[1]).isCloseTo(2 / Math.PI, offset(1e-14));
    }
}
