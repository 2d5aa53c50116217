// Relative weight error per matrix kind of uniform 4-bit TurboQuant on a built-in model's real matrices: block 128
// and 32 with searched log8 scales, and sub-scales of 32 rotated coordinates at 2/3/4 bits (docs/RESULTS.md,
// "Sub-scales and a measured-sensitivity budget"). Kinds by shape and position (MiniLM/BERT layer order).
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//     -cp "turboquant-cli/target/turboquant-cli.jar:turboquant-cli/target/lib/*" bench/diagnostics/SubScaleError.java minilm 4
import java.util.*;
import org.turboquant.cli.fidelity.*; import org.turboquant.core.*; import org.turboquant.loader.source.*;
public class SubScaleError {
  public static void main(String[] args) throws Exception {
    EmbeddingModel m = EmbeddingModel.byName(args[0]);
    ModelFiles f = ModelFiles.extract(m);
    int bits = Integer.parseInt(args[1]);
    String[] kinds = {"attn qkv","attn out","ffn in","ffn out","word emb"};
    try (TensorSource src = TensorSource.open(f.model())) {
      // setting -> kind -> [err, energy]
      Map<String, double[][]> acc = new LinkedHashMap<>();
      int mm = 0;
      for (SourceTensor t : src.tensors()) {
        if (!(t.dtype().isFloat() && t.rank() == 2 && t.numel() >= 4096 && t.usage() != Usage.OTHER)) continue;
        int d0 = (int) t.dim(0), d1 = (int) t.dim(1);
        float[] raw = new float[d0 * d1]; src.readFloats(t, 0, raw, 0, raw.length);
        boolean tr = t.usage() == Usage.MATMUL_WEIGHT;
        int rows = tr ? d1 : d0, cols = tr ? d0 : d1;
        float[] w = raw;
        if (tr) { w = new float[raw.length]; for (int r = 0; r < d0; r++) for (int c = 0; c < d1; c++) w[c * d0 + r] = raw[r * d1 + c]; }
        int kind;
        if (!tr) { if (!t.name().contains("word")) continue; kind = 4; }
        else if (rows == cols) { kind = (mm % 6) < 3 ? 0 : 1; mm++; }
        else if (rows > cols) { kind = 2; mm++; } else { kind = 3; mm++; }
        if (tr && rows == cols && t.name().contains("pooler")) continue;
        long seed = Seeds.tensorSeed(Seeds.DEFAULT_SEED, t.name());
        QuantConfig cfg = new QuantConfig(bits, 128, RotationKind.HADAMARD, seed, NormPrecision.LOG8, false, true).fittedTo(w, w.length, cols);
        Map<String, float[]> dec = new LinkedHashMap<>();
        dec.put("block128 log8 searched", ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, cfg)));
        QuantConfig c32 = new QuantConfig(bits, 32, RotationKind.HADAMARD, seed, NormPrecision.LOG8, false, true).fittedTo(w, w.length, cols);
        dec.put("block32 log8 searched", ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, c32)));
        for (int sb : new int[]{2,3,4}) for (int ss : new int[]{32}) {
          if (ss == 16 && sb != 3 && sb != 2) continue;
          dec.put("sub" + ss + "x" + sb + "b", SubScaledMatrices.quantizeDecode(w, rows, cols, cfg, null, bits, ss, sb));
        }
        double e = 0; for (float v : w) e += (double) v * v;
        for (var en : dec.entrySet()) {
          double err = 0; float[] d = en.getValue(); for (int i = 0; i < w.length; i++) { double x = w[i] - d[i]; err += x * x; }
          double[][] a = acc.computeIfAbsent(en.getKey(), k -> new double[5][2]);
          a[kind][0] += err / e; a[kind][1] += 1;
        }
      }
      System.out.printf("%-26s", "setting"); for (String k : kinds) System.out.printf(" %10s", k); System.out.println();
      for (var en : acc.entrySet()) { System.out.printf("%-26s", en.getKey()); for (double[] a : en.getValue()) System.out.printf(" %10.3e", a[0] / a[1]); System.out.println(); }
    }
  }
}
