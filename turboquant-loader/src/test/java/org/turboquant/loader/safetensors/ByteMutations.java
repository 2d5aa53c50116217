package org.turboquant.loader.safetensors;

import java.util.Arrays;
import java.util.Random;

/**
 * Mutates valid files into nearly-valid ones for the bounded fuzz runs: bit flips, interesting byte values
 * (structure characters, digits, sign and boundary bytes), truncations, insertions, deletions and duplicated runs.
 * Deterministic for a given {@link Random}.
 */
public final class ByteMutations {

    private static final byte[] INTERESTING = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, '"', '{', '}', '[', ']', ',', ':',
            '-', '0', '1', '9', 'e', '.', ' ', (byte) 0xC3};

    private ByteMutations() { }

    /** One to four random mutations of {@code seed} (which is not modified). */
    public static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int i = 0; i < ops; i++) b = mutateOnce(b, rnd);
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random rnd) {
        if (b.length == 0) return new byte[] {(byte) rnd.nextInt(256)};
        int pos = rnd.nextInt(b.length);
        switch (rnd.nextInt(6)) {
            case 0 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[pos] = INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 2 -> b = Arrays.copyOf(b, pos);
            case 3 -> {
                byte[] extra = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(extra);
                b = splice(b, pos, 0, extra);
            }
            case 4 -> b = splice(b, pos, Math.min(b.length - pos, 1 + rnd.nextInt(16)), new byte[0]);
            default -> {
                int from = rnd.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + rnd.nextInt(32));
                b = splice(b, pos, 0, Arrays.copyOfRange(b, from, from + len));
            }
        }
        return b;
    }

    /** {@code b} with {@code removed} bytes at {@code pos} replaced by {@code inserted}. */
    private static byte[] splice(byte[] b, int pos, int removed, byte[] inserted) {
        byte[] out = new byte[b.length - removed + inserted.length];
        System.arraycopy(b, 0, out, 0, pos);
        System.arraycopy(inserted, 0, out, pos, inserted.length);
        System.arraycopy(b, pos + removed, out, pos + inserted.length, b.length - pos - removed);
        return out;
    }
}
