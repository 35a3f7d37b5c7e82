package org.epochal.diagnose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.epochal.run.ReportWriter;
import org.epochal.run.SvgChart;

/**
 * The diagnosis part of report.html: findings marked on the batch-loss curve, per-layer health over the
 * epochs (gradient norm, update-to-weight ratio, dead and saturated fractions), and each finding with its
 * causes, evidence and suggestions.
 */
public final class DiagnosisReport {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private DiagnosisReport() {
    }

    public static void addTo(ReportWriter report, Path runDir) {
        List<Finding> findings = Files.exists(runDir.resolve(Diagnoser.FILE)) ? Diagnoser.read(runDir) : List.of();
        for (Finding f : findings) {
            if (f.epoch() != null && f.epoch() > 0) {
                String color = f.severity().equals(Finding.ERROR) ? "#d62728"
                        : f.severity().equals(Finding.WARNING) ? "#e69500" : "#1f77b4";
                report.mark(f.epoch(), f.batch(), f.id() + ": " + f.title(), color);
            }
        }
        report.section(health(Evidence.read(runDir)));
        report.section(findingsHtml(findings));
    }

    private static String health(Evidence ev) {
        List<Integer> epochs = new ArrayList<>();
        for (int e = 1; ev.probe(e) != null; e++) {
            epochs.add(e);
        }
        StringBuilder sb = new StringBuilder("<h2>Layer health</h2>");
        if (epochs.isEmpty()) {
            return sb.append("<p>No probes recorded (diagnostics: off, or no finished epoch).</p>").toString();
        }
        String[][] charts = {{"grad_norm", "gradient norm per layer", "log"},
            {"update_ratio", "update-to-weight ratio per step (healthy ≈ 1e-3)", "log"},
            {"dead_fraction", "fraction of ReLU units that never fired", ""},
            {"saturated_fraction", "fraction of saturated sigmoid/tanh outputs", ""}};
        for (String[] c : charts) {
            SvgChart chart = new SvgChart(c[1], "epoch").logY(!c[2].isEmpty());
            int color = 0;
            for (Map<String, Object> layer : ev.layerStats(epochs.get(0))) {
                double[] x = new double[epochs.size()];
                double[] y = new double[epochs.size()];
                boolean any = false;
                for (int i = 0; i < epochs.size(); i++) {
                    x[i] = epochs.get(i);
                    List<Map<String, Object>> stats = ev.layerStats(epochs.get(i));
                    Map<String, Object> l = stats.get(((Number) layer.get("index")).intValue());
                    y[i] = Evidence.number(l.get(c[0]));
                    any |= Double.isFinite(y[i]);
                }
                if (any) {
                    chart.add(new SvgChart.Series(layer.get("index") + " " + layer.get("type"), x, y,
                            COLORS[color++ % COLORS.length]));
                }
            }
            if (color > 0) {
                sb.append(chart.render());
            }
        }
        return sb.toString();
    }

    private static String findingsHtml(List<Finding> findings) {
        StringBuilder sb = new StringBuilder("<h2>Findings</h2>");
        if (findings.isEmpty()) {
            return sb.append("<p>No findings: nothing unusual was measured.</p>").toString();
        }
        for (Finding f : findings) {
            sb.append("<div class=\"finding ").append(SvgChart.esc(f.severity())).append("\"><h3>")
                    .append(SvgChart.esc(f.severity())).append(" · ").append(SvgChart.esc(f.id()))
                    .append(f.epoch() != null ? " · epoch " + f.epoch() : "").append(": ")
                    .append(SvgChart.esc(f.title())).append("</h3><p>").append(SvgChart.esc(f.explanation()))
                    .append("</p>");
            if (!f.causes().isEmpty()) {
                sb.append("<table><tr><th>cause</th><th>confidence</th><th>evidence</th></tr>");
                for (Finding.Cause c : f.causes()) {
                    sb.append("<tr><td>").append(SvgChart.esc(c.cause())).append("</td><td>")
                            .append(Math.round(c.confidence() * 100) / 100.0).append("</td><td style=\"text-align:left\"><code>")
                            .append(SvgChart.esc(Json.write(c.evidence()))).append("</code></td></tr>");
                }
                sb.append("</table>");
            }
            if (!f.suggestions().isEmpty()) {
                sb.append("<ul>");
                f.suggestions().forEach(s -> sb.append("<li>").append(SvgChart.esc(s)).append("</li>"));
                sb.append("</ul>");
            }
            sb.append("</div>");
        }
        return sb.toString();
    }
}
