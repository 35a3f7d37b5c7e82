package org.epochal.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A line chart drawn as inline SVG: series, dashed vertical markers (epoch boundaries), axes with ticks. */
public final class SvgChart {
    public record Series(String name, double[] x, double[] y, String color) {
    }

    record Marker(double x, String label, String color) {
    }

    private static final int W = 720;
    private static final int H = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 36;
    private final String title;
    private final String xLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private boolean logY;

    public SvgChart(String title, String xLabel) {
        this.title = title;
        this.xLabel = xLabel;
    }

    public SvgChart add(Series s) {
        series.add(s);
        return this;
    }

    public SvgChart marker(double x, String label, String color) {
        markers.add(new Marker(x, label, color));
        return this;
    }

    public SvgChart logY(boolean log) {
        this.logY = log;
        return this;
    }

    public String render() {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                double y = ty(s.y[i]);
                if (Double.isFinite(y)) {
                    x0 = Math.min(x0, s.x[i]);
                    x1 = Math.max(x1, s.x[i]);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", W, H, W, H, esc(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>", LEFT, esc(title)));
        if (!Double.isFinite(x0)) {
            sb.append("<text x=\"300\" y=\"130\">no data</text></svg>");
            return sb.toString();
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y1 == y0) {
            y1 = y0 + 1;
            y0 = y0 - 1;
        }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        final double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + (x - fx0) / (fx1 - fx0) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator py = y -> TOP + (fy1 - y) / (fy1 - fy0) * (H - TOP - BOTTOM);
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>",
                LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double y = y0 + (y1 - y0) * i / 4;
            double p = py.applyAsDouble(y);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>",
                    LEFT, W - RIGHT, p, p, LEFT - 4, p + 4, fmt(logY ? Math.pow(10, y) : y)));
        }
        // Whole-number axes (epochs, steps) get whole-number ticks.
        boolean whole = x0 == Math.rint(x0) && x1 == Math.rint(x1);
        int ticks = whole && x1 - x0 <= 10 ? (int) (x1 - x0) : 5;
        for (int i = 0; i <= ticks; i++) {
            double x = x0 + (x1 - x0) * i / ticks;
            String label = whole ? Long.toString(Math.round(x)) : fmt(x);
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    px.applyAsDouble(x), H - BOTTOM + 14, label));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                (W + LEFT) / 2, H - 4, esc(xLabel)));
        for (Marker m : markers) {
            double p = px.applyAsDouble(m.x);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " class=\"marker\"><title>%s</title></line>", p, p, TOP, H - BOTTOM, m.color, esc(m.label)));
        }
        int legendX = LEFT + 8;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < s.x.length; i++) {
                double y = ty(s.y[i]);
                if (!Double.isFinite(y)) {
                    pen = false;
                    continue;
                }
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f",
                        px.applyAsDouble(s.x[i]), py.applyAsDouble(y)));
                pen = true;
            }
            sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\""
                    + " class=\"series\"><title>%s</title></path>", path.toString().trim(), s.color, esc(s.name)));
            if (s.x.length <= 60) {
                for (int i = 0; i < s.x.length; i++) {
                    double y = ty(s.y[i]);
                    if (Double.isFinite(y)) {
                        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                                px.applyAsDouble(s.x[i]), py.applyAsDouble(y), s.color));
                    }
                }
            }
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>", legendX, TOP + 8, s.color, legendX + 14,
                    TOP + 12, esc(s.name)));
            legendX += 24 + 7 * s.name.length();
        }
        return sb.append("</svg>").toString();
    }

    private double ty(double y) {
        return logY ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
    }

    public static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : "%.3g", v);
    }

    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
