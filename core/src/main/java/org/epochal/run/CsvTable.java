package org.epochal.run;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A numeric CSV of the run folder (batches.csv, epochs.csv) read back as columns; nan/inf understood. Rows
 * whose cells are not all numbers, or not one a column, are skipped (a partly written last line).
 */
public final class CsvTable {
    private static final CsvTable EMPTY = new CsvTable(List.of(), new double[0][], 0);

    private final List<String> columns;
    /** Per column, at least {@link #rows} values (a {@link Follower}'s arrays, shared as they grow). */
    private final double[][] values;
    private final int rows;

    private CsvTable(List<String> columns, double[][] values, int rows) {
        this.columns = columns;
        this.values = values;
        this.rows = rows;
    }

    /** Reads {@code file}; a missing file is an empty table; a partly written last line is ignored. */
    public static CsvTable read(Path file) {
        return new Follower(file).read();
    }

    /**
     * A CSV file that grows as training appends rows: each {@link #read()} parses only the lines added since
     * the last and gives the whole table, the same as {@link CsvTable#read(Path)} would.
     */
    public static final class Follower {
        private final AppendedLines lines;
        private List<String> columns;
        private double[][] values;
        private int rows;

        public Follower(Path file) {
            this.lines = new AppendedLines(file);
        }

        public CsvTable read() {
            AppendedLines.Piece piece = lines.read();
            if (piece.restarted()) {
                columns = null;
                rows = 0;
            }
            for (String line : piece.lines()) {
                if (columns == null) {
                    header(line);
                } else {
                    double[] row = parse(line, columns.size());
                    if (row != null) {
                        append(row);
                    }
                }
            }
            String partial = piece.partial();
            if (columns == null) {
                if (partial == null) {
                    return EMPTY;
                }
                List<String> names = List.of(partial.split(","));
                return new CsvTable(names, new double[names.size()][0], 0);
            }
            double[] row = partial == null ? null : parse(partial, columns.size());
            if (row == null) {
                return new CsvTable(columns, values, rows);
            }
            // an unfinished line that reads as a row: in this table, not in the follower's (it comes again)
            double[][] copy = new double[columns.size()][];
            for (int c = 0; c < copy.length; c++) {
                copy[c] = Arrays.copyOf(values[c], rows + 1);
                copy[c][rows] = row[c];
            }
            return new CsvTable(columns, copy, rows + 1);
        }

        private void header(String line) {
            columns = List.copyOf(Arrays.asList(line.split(",")));
            values = new double[columns.size()][64];
            rows = 0;
        }

        private void append(double[] row) {
            if (rows == values[0].length) {
                for (int c = 0; c < values.length; c++) {
                    values[c] = Arrays.copyOf(values[c], 2 * rows);
                }
            }
            for (int c = 0; c < row.length; c++) {
                values[c][rows] = row[c];
            }
            rows++;
        }
    }

    /** The line's numbers, or null when it does not have {@code width} cells that all read as numbers. */
    private static double[] parse(String line, int width) {
        String[] cells = line.split(",");
        if (cells.length != width) {
            return null;
        }
        double[] row = new double[width];
        try {
            for (int c = 0; c < width; c++) {
                row[c] = number(cells[c]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return row;
    }

    private static double number(String s) {
        return switch (s.trim()) {
            case "nan", "NaN" -> Double.NaN;
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> org.epochal.io.Decimals.parseDouble(s);
        };
    }

    public List<String> columns() {
        return columns;
    }

    public boolean has(String column) {
        return columns.contains(column);
    }

    public int rows() {
        return rows;
    }

    /** The column's values (an empty array when absent). */
    public double[] column(String name) {
        int i = columns.indexOf(name);
        return i < 0 ? new double[0] : Arrays.copyOf(values[i], rows);
    }
}
