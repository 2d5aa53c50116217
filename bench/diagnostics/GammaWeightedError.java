// The FFN-in and Q matrices' relative weight error at 4.25 against IQ4_XS, plain and weighted per input channel by
// the square of the LayerNorm gamma that scales that channel (an outlier channel a data-free check can see).
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//     -cp "turboquant-cli/target/turboquant-cli.jar:turboquant-cli/target/lib/*" bench/diagnostics/GammaWeightedError.java e5-small
import java.util.*;
import org.turboquant.cli.fidelity.*; import org.turboquant.core.*; import org.turboquant.loader.source.*;
public class GammaWeightedError {
  public static void main(String[] args) throws Exception {
    EmbeddingModel m = EmbeddingModel.byName(args[0]);
    ModelFiles f = ModelFiles.extract(m);
    try (TensorSource src = TensorSource.open(f.model())) {
      InMemoryQuantizer q = new InMemoryQuantizer(src);
      var tq = q.apply(Scheme.fractional(4.25, 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched());
      var xs = q.apply(Scheme.llama(org.turboquant.core.baseline.BlockFormat.IQ4_XS));
      List<String> mm = new ArrayList<>();
      for (var t : tq.tensors()) if (t.name().toLowerCase().startsWith("onnx::matmul")) mm.add(t.name());
      String[] kinds = {"Q","K","V","attnout","ffnin","ffnout"};
      for (int L = 0; L * 6 < mm.size(); L++) {
        String gIn = "encoder.layer." + L + ".attention.output.LayerNorm.weight";
        String gQkv = L == 0 ? "embeddings.LayerNorm.weight" : "encoder.layer." + (L - 1) + ".output.LayerNorm.weight";
        StringBuilder sb = new StringBuilder("layer " + L + ":");
        for (int k : new int[]{0, 4}) {
          String gName = k == 4 ? gIn : gQkv;
          SourceTensor gt = src.tensor(gName); float[] g = new float[(int) gt.numel()]; src.readFloats(gt, 0, g, 0, g.length);
          SourceTensor wt = src.tensor(mm.get(L * 6 + k)); int in = (int) wt.dim(0), out = (int) wt.dim(1);
          float[] w = new float[in * out]; src.readFloats(wt, 0, w, 0, w.length);
          float[] a = tq.overrides().tensors().get(wt.name()).data(), b = xs.overrides().tensors().get(wt.name()).data();
          double ea=0, eb=0, e=0, wa=0, wb=0, we=0;
          for (int j = 0; j < in; j++) { double g2 = (double) g[j] * g[j];
            for (int o = 0; o < out; o++) { int i = j * out + o; double da = w[i]-a[i], db = w[i]-b[i];
              ea += da*da; eb += db*db; e += (double) w[i]*w[i]; wa += g2*da*da; wb += g2*db*db; we += g2*w[i]*w[i]; } }
          sb.append(String.format(" %s tq/xs plain %.2e/%.2e γ²-weighted %.2e/%.2e |", kinds[k], ea/e, eb/e, wa/we, wb/we));
          if (L == 0 && k == 4) { float[] s = g.clone(); for (int j=0;j<s.length;j++) s[j]=Math.abs(s[j]); Arrays.sort(s); System.out.println("ffn-in γ |max| " + s[s.length-1] + " p99 " + s[(int)(s.length*0.99)] + " median " + s[s.length/2]); }
        }
        System.out.println(sb);
      }
    }
  }
}
