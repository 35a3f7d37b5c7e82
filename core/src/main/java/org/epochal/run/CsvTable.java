package org.epochal.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A numeric CSV of the run folder (batches.csv, epochs.csv) read back as columns; nan/inf understood. */
public final class CsvTable {
    private final List<String> columns;
    private final double[][] values;

    private CsvTable(List<String> columns, double[][] values) {
        this.columns = columns;
        this.values = values;
    }

    /** Reads {@code file}; a missing file is an empty table; a partly written last line is ignored. */
    public static CsvTable read(Path file) {
        if (!Files.exists(file)) {
            return new CsvTable(List.of(), new double[0][]);
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return new CsvTable(List.of(), new double[0][]);
            }
            List<String> columns = Arrays.asList(lines.get(0).split(","));
            List<double[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",");
                if (cells.length != columns.size()) {
                    continue;
                }
                double[] row = new double[cells.length];
                try {
                    for (int c = 0; c < cells.length; c++) {
                        row[c] = parse(cells[c]);
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                rows.add(row);
            }
            double[][] values = new double[columns.size()][rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < columns.size(); c++) {
                    values[c][r] = rows.get(r)[c];
                }
            }
            return new CsvTable(List.copyOf(columns), values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double parse(String s) {
        return switch (s.trim()) {
            case "nan", "NaN" -> Double.NaN;
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    public List<String> columns() {
        return columns;
    }

    public boolean has(String column) {
        return columns.contains(column);
    }

    public int rows() {
        return values.length == 0 ? 0 : values[0].length;
    }

    /** The column's values (an empty array when absent). */
    public double[] column(String name) {
        int i = columns.indexOf(name);
        return i < 0 ? new double[0] : values[i];
    }
}
