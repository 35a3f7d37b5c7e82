package org.epochal.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * report.html: one self-contained page (inline SVG and CSS, no script, no network) drawn from the run
 * folder's CSV files alone, so `epochal report` can redraw it for any run, finished or killed: the batch
 * loss with epoch boundaries, the epoch curves for train, validation and test, and the learning rate.
 * Sections (findings, layer health) are added through {@link #section}.
 */
public final class ReportWriter {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
    private final Path runDir;
    private final String name;
    private final List<String> sections = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();

    private record Mark(int epoch, Integer batch, String label, String color) {
    }

    public ReportWriter(Path runDir, String name) {
        this.runDir = runDir;
        this.name = name;
    }

    /** Marks a finding on the batch-loss chart at the start of {@code epoch} (or at its batch). */
    public ReportWriter mark(int epoch, Integer batch, String label, String color) {
        marks.add(new Mark(epoch, batch, label, color));
        return this;
    }

    /** Adds a section of ready HTML after the standard charts. */
    public ReportWriter section(String html) {
        sections.add(html);
        return this;
    }

    public void write() throws IOException {
        CsvTable batches = CsvTable.read(runDir.resolve(CsvRecorder.BATCHES));
        CsvTable epochs = CsvTable.read(runDir.resolve(CsvRecorder.EPOCHS));
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Epochal run: ")
                .append(SvgChart.esc(name)).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:980px}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}")
                .append(".chart{display:block;margin:8px 0;background:#fff}.plot{fill:#fafafa;stroke:#ccc}")
                .append(".grid{stroke:#e6e6e6}.tick{font-size:10px;fill:#555}.title{font-size:13px;font-weight:600}")
                .append(".legend{font-size:11px}.marker{stroke-dasharray:3 3;stroke-width:1}")
                .append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}")
                .append(".finding{border-left:4px solid #999;padding:4px 12px;margin:10px 0}")
                .append(".warning{border-color:#e69500}.error{border-color:#d62728}.info{border-color:#1f77b4}")
                .append("</style></head><body>");
        html.append("<h1>Epochal run: ").append(SvgChart.esc(name)).append("</h1>");
        html.append("<p>").append(epochs.rows()).append(" epoch(s), ").append(batches.rows())
                .append(" batch(es) recorded in <code>").append(SvgChart.esc(runDir.getFileName().toString()))
                .append("</code>.</p>");
        SvgChart batchChart = batchLossChart(batches);
        double[] epochOf = batches.column("epoch");
        double[] batchOf = batches.column("batch");
        double[] stepOf = batches.column("step");
        for (Mark m : marks) {
            double step = stepOf.length > 0 ? stepOf[0] - 0.5 : 0;
            for (int i = 0; i < epochOf.length; i++) {
                if ((int) epochOf[i] == m.epoch() && (m.batch() == null || (int) batchOf[i] == m.batch())) {
                    step = stepOf[i];
                    break;
                }
            }
            batchChart.marker(step, m.label(), m.color());
        }
        html.append("<h2>Loss per batch</h2>").append(batchChart.render());
        html.append("<h2>Per epoch</h2>");
        for (String quantity : quantities(epochs)) {
            SvgChart chart = new SvgChart(quantity, "epoch");
            int color = 0;
            for (String split : new String[] {"train", "val", "test"}) {
                String column = split + "_" + quantity;
                if (epochs.has(column)) {
                    chart.add(new SvgChart.Series(column, epochs.column("epoch"), epochs.column(column), COLORS[color]));
                }
                color++;
            }
            html.append(chart.render());
        }
        SvgChart lr = new SvgChart("learning rate", "step").logY(true);
        lr.add(new SvgChart.Series("lr", batches.column("step"), batches.column("lr"), COLORS[2]));
        html.append("<h2>Learning rate</h2>").append(lr.render());
        html.append(epochTable(epochs));
        sections.forEach(html::append);
        html.append("</body></html>\n");
        Path file = runDir.resolve("report.html");
        Path tmp = runDir.resolve("report.html.tmp");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Batch losses against the step, a dashed line where each epoch begins. */
    static SvgChart batchLossChart(CsvTable batches) {
        SvgChart chart = new SvgChart("training loss per batch (dashed: epoch starts)", "step");
        double[] epoch = batches.column("epoch");
        double[] step = batches.column("step");
        for (int i = 1; i < epoch.length; i++) {
            if (epoch[i] != epoch[i - 1]) {
                chart.marker(step[i] - 0.5, "epoch " + (int) epoch[i] + " starts", "#888");
            }
        }
        chart.add(new SvgChart.Series("batch loss", step, batches.column("loss"), COLORS[0]));
        return chart;
    }

    /** "loss", "accuracy", "mae": the quantities with a train_, val_ or test_ column. */
    private static List<String> quantities(CsvTable epochs) {
        List<String> out = new ArrayList<>();
        for (String c : epochs.columns()) {
            int u = c.indexOf('_');
            if (u > 0 && List.of("train", "val", "test").contains(c.substring(0, u))) {
                String q = c.substring(u + 1);
                if (!out.contains(q)) {
                    out.add(q);
                }
            }
        }
        return out;
    }

    private static String epochTable(CsvTable epochs) {
        StringBuilder sb = new StringBuilder("<h2>Epochs</h2><table><tr>");
        for (String c : epochs.columns()) {
            sb.append("<th>").append(SvgChart.esc(c)).append("</th>");
        }
        sb.append("</tr>");
        for (int r = 0; r < epochs.rows(); r++) {
            sb.append("<tr>");
            for (String c : epochs.columns()) {
                double v = epochs.column(c)[r];
                sb.append("<td>").append(c.equals("epoch") ? Integer.toString((int) v) : SvgChart.fmt(v)).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }
}
