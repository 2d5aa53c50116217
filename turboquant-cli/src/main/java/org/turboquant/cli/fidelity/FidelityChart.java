package org.turboquant.cli.fidelity;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** docs/fidelity.png: bits per weight against mean cosine (as 1 − cos, log scale), one line per method family. */
public final class FidelityChart {
    private FidelityChart() {}

    public static void write(Path png, List<ComparisonRow> rows) throws IOException {
        write(png, rows, "all-MiniLM-L6-v2");
    }

    /** The chart of {@code rows}, titled with the model's name. */
    public static void write(Path png, List<ComparisonRow> rows, String model) throws IOException {
        XYChart chart = new XYChartBuilder().width(1200).height(680)
                .title(model + ": embedding fidelity vs. bits per weight")
                .xAxisTitle("bits per weight (norms/scales included)")
                .yAxisTitle("1 - mean cosine to FP32 embeddings (log scale, lower is better)")
                .build();
        // Outside, so that the legend of a dozen families does not hide the 8-bit points.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setMarkerSize(7)
                .setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setYAxisLogarithmic(true);
        fitAxes(chart, rows);
        Map<String, List<ComparisonRow>> families = new LinkedHashMap<>();
        for (ComparisonRow r : rows) families.computeIfAbsent(r.scheme().family(), k -> new ArrayList<>()).add(r);
        for (var e : families.entrySet()) {
            List<ComparisonRow> pts = new ArrayList<>(e.getValue());
            pts.sort(Comparator.comparingDouble(ComparisonRow::bitsPerWeight));
            double[] x = pts.stream().mapToDouble(ComparisonRow::bitsPerWeight).toArray();
            // 1 − cosine on a log axis: 1-bit (cos ≈ 0.5) and 8-bit (cos ≈ 0.9999) fit on one readable chart.
            double[] y = pts.stream().mapToDouble(r -> Math.max(1e-7, 1 - r.metrics().meanCosine())).toArray();
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            s.setMarker(pts.size() == 1 ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
            emphasize(s, pts.getFirst().scheme());
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("(?i)\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The lines the comparison is about stand out from the grid of TurboQuant settings: fractional TurboQuant
     * (the pack's rates) thick and black, its alternatives dashed; the llama.cpp baselines red diamonds.
     */
    private static void emphasize(XYSeries s, Scheme scheme) {
        if (scheme.isFractional()) {
            boolean main = scheme.family().equals("TurboQuant, fractional");
            Color c = main ? Color.BLACK : Color.DARK_GRAY;
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setLineStyle(main ? new BasicStroke(3f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            s.setMarker(main ? SeriesMarkers.SQUARE : scheme.blockSize() == 64 ? SeriesMarkers.TRIANGLE_UP
                    : SeriesMarkers.TRIANGLE_DOWN);
        } else if (scheme.method().equals("q4_0") || scheme.method().equals("q8_0")) {
            Color red = scheme.method().equals("q4_0") ? new Color(0xD0, 0x10, 0x10) : new Color(0x80, 0x00, 0x00);
            s.setMarkerColor(red);
            s.setLineColor(red);
        }
    }

    /**
     * The y range widened to whole decades, because a log axis is labelled only at powers of ten; the x range
     * padded so that markers at the ends are not cut in half.
     */
    private static void fitAxes(XYChart chart, List<ComparisonRow> rows) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (ComparisonRow r : rows) {
            minX = Math.min(minX, r.bitsPerWeight());
            maxX = Math.max(maxX, r.bitsPerWeight());
            double y = Math.max(1e-7, 1 - r.metrics().meanCosine());
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        if (rows.isEmpty()) return;
        double pad = Math.max(0.25, 0.04 * (maxX - minX));
        chart.getStyler().setXAxisMin(Math.max(0, minX - pad)).setXAxisMax(maxX + pad)
                .setYAxisMin(Math.pow(10, Math.floor(Math.log10(minY))))
                .setYAxisMax(Math.pow(10, Math.ceil(Math.log10(maxY))));
    }
}
