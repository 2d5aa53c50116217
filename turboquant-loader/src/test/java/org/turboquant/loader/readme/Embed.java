// The README's embedding example, verbatim (kept in the build so that it keeps compiling).
package org.turboquant.loader.readme;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import org.turboquant.loader.pack.TqPack;
import org.turboquant.loader.pack.WeightMatrix;

public final class Embed {
    public static void main(String[] args) throws Exception {
        var executor = Executors.newFixedThreadPool(4);        // or TqPack.Options.defaults().threads(4)
        try (TqPack pack = TqPack.open(Path.of(args[0]), TqPack.Options.defaults().executor(executor))) {
            WeightMatrix table = pack.tensor("embed_tokens.weight");            // kept or quantized, the same calls
            WeightMatrix down = pack.tensor("model.layers.0.mlp.down_proj.weight");
            table.warmUp();                                   // the JIT and one-time set-up now, not on request 1
            down.warmUp();
            float[] h = new float[table.cols()];
            table.row(42, h, 0);                              // an embedding look-up: row 42 decoded
            float[] x = new float[down.cols()], y = new float[down.rows()], bias = new float[down.rows()];
            System.arraycopy(h, 0, x, 0, Math.min(h.length, x.length));
            down.matvec(x, 0, y, 0, bias, false);             // y = W·x + bias, straight from the codes
            down.matvec(x, 0, y, 0, null, true);              // y += W·x
            float[] xs = new float[3 * down.cols()], ys = new float[3 * down.rows()];
            down.matmul(xs, 0, 3, ys, 0, null, false);        // a batch of 3, row-major; MemorySegment overloads too
            System.out.println(pack.tensor(down.name()).kernel());
        } finally {
            executor.shutdown();                              // the pack never shuts a caller's executor down
        }
    }
}
