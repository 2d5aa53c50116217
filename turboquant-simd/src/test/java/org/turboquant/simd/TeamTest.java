package org.turboquant.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;

/** {@link ParallelMatmul#runAsTeam}: products inside a team, barriers, a caller's busy executor, failures. */
class TeamTest {
    private static final QuantizedMatrix M = TestMatrices.quantized(301, 256, 4, RotationKind.HADAMARD, 64);

    /** Every member calls the same products: the result is the one of a plain call, bit for bit, at every batch. */
    @Test
    void productsInsideATeamEqualPlainProducts() {
        for (int threads : new int[] {1, 2, 3}) {
            try (ParallelMatmul pm = new ParallelMatmul(threads)) {
                for (int batch : new int[] {1, 5, 13, 70}) {
                    float[] x = TestMatrices.gaussian(batch * 256, batch), plain = new float[batch * 301];
                    pm.gemm(M, x, batch, plain);
                    for (int round = 0; round < 20; round++) {
                        float[] teamed = new float[batch * 301];
                        Set<Integer> sizes = ConcurrentHashMap.newKeySet();
                        pm.runAsTeam(team -> {
                            sizes.add(team.size());
                            pm.gemm(M, x, batch, teamed);
                        });
                        assertArrayEquals(plain, teamed, "threads " + threads + " batch " + batch);
                        assertThat(sizes).hasSize(1).allSatisfy(n -> assertThat(n).isBetween(1, threads));
                    }
                }
            }
        }
    }

    /** Each member's share of a range is disjoint and their union is the range; a barrier publishes the writes. */
    @Test
    void sharesCoverTheRangeOnceAndBarriersPublishWrites() {
        try (ParallelMatmul pm = new ParallelMatmul(2)) {
            for (int round = 0; round < 50; round++) {
                int[] hits = new int[1000];
                long[] sums = new long[2];
                pm.runAsTeam(team -> {
                    for (int i = team.start(hits.length, 16); i < team.end(hits.length, 16); i++) hits[i]++;
                    team.barrier();
                    long s = 0;
                    for (int h : hits) s += h;
                    sums[team.index()] = s;
                });
                for (int h : hits) assertThat(h).isEqualTo(1);
                assertThat(sums[0]).isEqualTo(1000);
            }
        }
    }

    /** A caller's executor whose only thread is busy: the team is the caller alone, and the late task does nothing. */
    @Test
    void aBusyExecutorMakesASmallerTeamNotAWait() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            executor.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ParallelMatmul pm = ParallelMatmul.on(executor, 2);
            float[] x = TestMatrices.gaussian(256 * 3, 4), plain = new float[301 * 3], teamed = new float[301 * 3];
            new ParallelMatmul(1).gemm(M, x, 3, plain);
            AtomicInteger size = new AtomicInteger(), members = new AtomicInteger();
            pm.runAsTeam(team -> {
                size.set(team.size());
                members.incrementAndGet();
                pm.gemm(M, x, 3, teamed);
            });
            assertThat(size.get()).isEqualTo(1);
            assertArrayEquals(plain, teamed);
            release.countDown();
            executor.submit(() -> { }).get(); // the late member task has run, and returned at once
            assertThat(members.get()).isEqualTo(1);
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }

    /** A member's failure reaches the caller, whichever member fails; the other members leave at their barrier. */
    @Test
    void aMembersFailureReachesTheCaller() {
        try (ParallelMatmul pm = new ParallelMatmul(2)) {
            for (int failing : new int[] {0, 1}) {
                for (int round = 0; round < 20; round++) {
                    assertThatThrownBy(() -> pm.runAsTeam(team -> {
                        if (team.size() == 1 || team.index() == failing) throw new IllegalStateException("member failed");
                        for (int i = 0; i < 1000; i++) team.barrier();
                    })).isInstanceOf(IllegalStateException.class).hasMessage("member failed");
                }
                float[] y = new float[301]; // and the pool still works
                pm.gemv(M, TestMatrices.gaussian(256, 1), y);
            }
        }
    }
}
