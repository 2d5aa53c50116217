// Which text makes a 4.25 model's min cosine, and which tensors: the diagnosis of e5-small's miss against IQ4_XS
// (docs/RESULTS.md, "Why e5-small's min cosine misses"). A source-file program on the built CLI's class path:
//   ./tq --help >/dev/null   # builds turboquant-cli/target
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//     -cp "turboquant-cli/target/turboquant-cli.jar:turboquant-cli/target/lib/*" bench/diagnostics/WorstText.java e5-small 4.25
// Prints the 8 worst texts (cosine at the rate and with IQ4_XS), then the min cosine with one kind of tensor kept at
// FP32 (or replaced by its IQ4_XS version), then with one layer's six matrices kept at FP32.
import java.nio.file.*; import java.util.*;
import org.turboquant.cli.fidelity.*; import org.turboquant.core.*; import org.turboquant.loader.source.TensorSource;
public class WorstText {
  static String kind(String n, int[] anon) {
    String[] lo = {"qkv","qkv","qkv","attnout","ffnin","ffnout"};
    n = n.toLowerCase(Locale.ROOT);
    if (n.contains("word_embeddings")) return "wordemb"; if (n.contains("position_embeddings")) return "posemb";
    if (n.contains("pooler")) return "pooler"; if (n.startsWith("onnx::matmul")) return lo[anon[0]++ % 6]; return "other";
  }
  static double[] cos(float[][] a, float[][] b) { double[] c = new double[a.length]; for (int i=0;i<a.length;i++) { double s=0; for (int j=0;j<a[i].length;j++) s+=a[i][j]*b[i][j]; c[i]=s; } return c; }
  public static void main(String[] args) throws Exception {
    EmbeddingModel m = EmbeddingModel.byName(args[0]);
    ModelFiles f = ModelFiles.extract(m);
    List<String> texts = TextCorpus.builtIn();
    try (SentenceEmbedder e = new SentenceEmbedder(f.model(), f.tokenizer(), m.pooling(), m.maxLength(), m.prefix());
         TensorSource src = TensorSource.open(f.model())) {
      var tok = e.tokenize(texts); float[][] orig = e.embed(tok);
      InMemoryQuantizer q = new InMemoryQuantizer(src);
      var tq = q.apply(Scheme.fractional(Double.parseDouble(args[1]), 128, RotationKind.HADAMARD, NormPrecision.LOG8).searched());
      var xs = q.apply(Scheme.llama(org.turboquant.core.baseline.BlockFormat.IQ4_XS));
      double[] ct = cos(orig, e.embed(tok, tq.overrides())), cx = cos(orig, e.embed(tok, xs.overrides()));
      Integer[] idx = new Integer[texts.size()]; for (int i=0;i<idx.length;i++) idx[i]=i;
      Arrays.sort(idx, Comparator.comparingDouble(i -> ct[i]));
      for (int k=0;k<8;k++) { int i=idx[k]; System.out.printf("worst %d: tq %.5f xs %.5f tokens %d  '%s'%n", i, ct[i], cx[i], tok.ids()[i].length, texts.get(i)); }
      double mx = Arrays.stream(cx).min().getAsDouble(); int ix=0; for (int i=0;i<cx.length;i++) if (cx[i]==mx) ix=i;
      System.out.printf("xs worst %d: xs %.5f tq %.5f '%s'%n", ix, cx[ix], ct[ix], texts.get(ix));
      Map<String,String> kinds = new LinkedHashMap<>(); int[] anon={0};
      for (var t : tq.tensors()) kinds.put(t.name(), kind(t.name(), anon));
      int w = idx[0];
      for (String k : new LinkedHashSet<>(kinds.values())) {
        WeightOverrides fp = new WeightOverrides(), sw = new WeightOverrides();
        for (var en : tq.overrides().tensors().entrySet()) {
          boolean in = kinds.get(en.getKey()).equals(k);
          if (!in) fp.put(en.getKey(), en.getValue().shape(), en.getValue().data());
          var src2 = in ? xs.overrides().tensors().get(en.getKey()) : en.getValue();
          sw.put(en.getKey(), src2.shape(), src2.data());
        }
        double[] a = cos(orig, e.embed(tok, fp)), b = cos(orig, e.embed(tok, sw));
        System.out.printf("%-8s fp32: mean %.6f min %.5f worst-text %.5f | as IQ4_XS: mean %.6f min %.5f worst-text %.5f%n", k,
          Arrays.stream(a).average().getAsDouble(), Arrays.stream(a).min().getAsDouble(), a[w],
          Arrays.stream(b).average().getAsDouble(), Arrays.stream(b).min().getAsDouble(), b[w]);
      }
      // per layer: which layer's tensors (in order: 6 per layer) restore the worst text
      List<String> names = new ArrayList<>(kinds.keySet()); List<String> mm = names.stream().filter(n -> n.toLowerCase().startsWith("onnx::matmul")).toList();
      for (int L=0; L*6<mm.size(); L++) {
        Set<String> layer = new HashSet<>(mm.subList(L*6, Math.min(mm.size(), L*6+6)));
        WeightOverrides fp = new WeightOverrides();
        for (var en : tq.overrides().tensors().entrySet()) if (!layer.contains(en.getKey())) fp.put(en.getKey(), en.getValue().shape(), en.getValue().data());
        double[] a = cos(orig, e.embed(tok, fp));
        System.out.printf("layer %2d fp32: mean %.6f min %.5f worst-text %.5f%n", L, Arrays.stream(a).average().getAsDouble(), Arrays.stream(a).min().getAsDouble(), a[w]);
      }
      for (var t : tq.tensors()) if (!kinds.get(t.name()).startsWith("q") && !kinds.get(t.name()).startsWith("ffn") && !kinds.get(t.name()).startsWith("attn")) System.out.println("tensor " + t.name() + " " + Arrays.toString(t.shape()) + " " + t.relativeMse());
    }
  }
}
