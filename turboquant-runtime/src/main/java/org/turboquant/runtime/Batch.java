package org.turboquant.runtime;

import java.util.Arrays;

/**
 * A batch of tokenized texts, checked, each cut after its last unmasked token and placed at a row offset of the
 * stacked [tokens, hidden] matrix.
 */
final class Batch {
    private final int[][] ids, types, mask;
    private final int[] start, length;
    private final int tokens;

    private Batch(int[][] ids, int[][] types, int[][] mask, int[] start, int[] length, int tokens) {
        this.ids = ids;
        this.types = types;
        this.mask = mask;
        this.start = start;
        this.length = length;
        this.tokens = tokens;
    }

    static Batch of(int[][] ids, int[][] types, int[][] mask, int maxTokens, int vocabulary, int typeVocabulary) {
        int n = ids.length;
        if (n == 0) throw new IllegalArgumentException("no texts");
        if (types != null && types.length != n) throw new IllegalArgumentException(types.length + " token-type rows for " + n + " texts");
        if (mask != null && mask.length != n) throw new IllegalArgumentException(mask.length + " mask rows for " + n + " texts");
        int[] start = new int[n], length = new int[n];
        int[][] masks = new int[n][];
        int total = 0;
        for (int i = 0; i < n; i++) {
            int len = ids[i].length;
            if (types != null && types[i].length != len)
                throw new IllegalArgumentException("text " + i + ": " + types[i].length + " token types for " + len + " ids");
            int[] m = mask == null ? fillOnes(len) : mask[i];
            if (m.length != len) throw new IllegalArgumentException("text " + i + ": " + m.length + " mask entries for " + len + " ids");
            int last = len - 1;
            while (last >= 0 && m[last] == 0) last--;
            if (last < 0) throw new IllegalArgumentException("text " + i + ": no unmasked token");
            len = last + 1;
            if (len > maxTokens)
                throw new IllegalArgumentException("text " + i + ": " + len + " tokens, the model takes at most " + maxTokens);
            for (int p = 0; p < len; p++) {
                if (ids[i][p] < 0 || ids[i][p] >= vocabulary)
                    throw new IllegalArgumentException("text " + i + ": token id " + ids[i][p] + " outside the vocabulary of " + vocabulary);
                if (types != null && (types[i][p] < 0 || types[i][p] >= typeVocabulary))
                    throw new IllegalArgumentException("text " + i + ": token type " + types[i][p] + " outside 0.." + (typeVocabulary - 1));
            }
            masks[i] = m;
            start[i] = total;
            length[i] = len;
            total = Math.addExact(total, len);
        }
        return new Batch(ids, types, masks, start, length, total);
    }

    private static int[] fillOnes(int n) {
        int[] m = new int[n];
        Arrays.fill(m, 1);
        return m;
    }

    int texts() { return ids.length; }
    int tokens() { return tokens; }
    int start(int i) { return start[i]; }
    int length(int i) { return length[i]; }
    int[] ids(int i) { return ids[i]; }
    int[] types(int i) { return types == null ? null : types[i]; }
    int[] mask(int i) { return mask[i]; }
}
