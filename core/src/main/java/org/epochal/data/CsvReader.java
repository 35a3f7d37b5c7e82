package org.epochal.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.epochal.BadInputException;

/**
 * Turns a CSV file into a {@link Dataset}: the label column(s) become targets, every other column a
 * feature (sample shape [features]). Every error names FILE:LINE and, where it helps, the column.
 */
final class CsvReader {
    // The largest class index a float target holds exactly (2^24).
    private static final int MAX_CLASS_INDEX = 1 << 24;

    private CsvReader() {
    }

    static Dataset load(SourceSpec.Csv spec, TargetKind kind) {
        Path path = spec.path();
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": file not found", e);
        } catch (CharacterCodingException e) {
            throw new BadInputException(path + ": not UTF-8 text; save the CSV as UTF-8", e);
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot read: " + e, e);
        }
        return parse(text, path.toString(), spec.labels(), spec.header(), kind);
    }

    /** Parses CSV text; {@code origin} names it in messages and in the data set. */
    static Dataset parse(String text, String origin, List<String> labels, boolean header, TargetKind kind) {
        CsvParser parser = new CsvParser(text, origin);
        List<String> first = parser.next();
        if (first == null) {
            throw new BadInputException(origin + ": the file is empty");
        }
        int firstLine = parser.line();
        int width = first.size();
        List<String> names = header ? first.stream().map(String::trim).toList() : null;
        int[] labelColumns = labelColumns(labels, names, width, origin + ":" + firstLine);
        if (kind == TargetKind.CLASS_INDEX && labelColumns.length != 1) {
            throw new BadInputException(origin + ": class labels need exactly one label column, got "
                    + labelColumns.length + " " + labels + "; several label columns are for value targets (mse)");
        }
        boolean[] isLabel = new boolean[width];
        for (int c : labelColumns) {
            isLabel[c] = true;
        }
        int featureCount = width - labelColumns.length;
        if (featureCount == 0) {
            throw new BadInputException(origin + ":" + firstLine + ": every column is a label; no feature is left");
        }

        Floats features = new Floats();
        Floats values = new Floats();
        List<String> classLabels = new ArrayList<>();
        int rows = 0;
        for (List<String> row = header ? parser.next() : first; row != null; row = parser.next()) {
            String where = origin + ":" + parser.line();
            if (row.size() != width) {
                throw new BadInputException(where + ": expected " + width + " fields, found " + row.size());
            }
            for (int c = 0; c < width; c++) {
                if (!isLabel[c]) {
                    features.add(number(row.get(c), where, c, names));
                }
            }
            for (int c : labelColumns) {
                if (kind == TargetKind.CLASS_INDEX) {
                    classLabels.add(row.get(c).trim());
                } else {
                    values.add(number(row.get(c), where, c, names));
                }
            }
            rows++;
        }
        if (rows == 0) {
            throw new BadInputException(origin + ":" + firstLine + ": a header but no data rows");
        }
        int[] shape = {featureCount};
        if (kind == TargetKind.VALUES) {
            return new Dataset(features.toArray(), shape, values.toArray(), labelColumns.length, List.of(), origin);
        }
        float[] targets = new float[rows];
        List<String> classNames = classIndices(classLabels, targets);
        return new Dataset(features.toArray(), shape, targets, 1, classNames, origin);
    }

    /**
     * The label columns' indices in the order given. A label matching a header name is that column (so a
     * header of digits still reads by name); otherwise digits are a 0-based index.
     */
    private static int[] labelColumns(List<String> labels, List<String> names, int width, String where) {
        if (labels == null || labels.isEmpty()) {
            throw new BadInputException(where + ": no label column given; name one with `label`");
        }
        int[] columns = new int[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i).trim();
            int column = names == null ? -1 : names.indexOf(label);
            if (column >= 0 && names.lastIndexOf(label) != column) {
                throw new BadInputException(where + ": the header names column '" + label + "' twice (columns "
                        + column + " and " + names.lastIndexOf(label) + "); give the label as a 0-based index");
            }
            if (column < 0 && !label.isEmpty() && label.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                column = label.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(label);
                if (column >= width) {
                    throw new BadInputException(where + ": label column " + label + " is out of range: the file has "
                            + width + " columns (0.." + (width - 1) + ")");
                }
            }
            if (column < 0) {
                throw new BadInputException(names == null
                        ? where + ": label column '" + label + "' is a name, but the file is read without a header"
                                + " (header: false); give a 0-based column index instead"
                        : where + ": no column named '" + label + "'; the header has: " + String.join(", ", names));
            }
            for (int j = 0; j < i; j++) {
                if (columns[j] == column) {
                    throw new BadInputException(where + ": label column " + column + " is given twice in " + labels);
                }
            }
            columns[i] = column;
        }
        return columns;
    }

    /** A finite float, or an error naming the column by header name (else index) and showing the text. */
    private static float number(String field, String where, int column, List<String> names) {
        String text = field.trim();
        float value = Float.NaN;
        boolean parsed = false;
        if (!text.isEmpty()) {
            char last = text.charAt(text.length() - 1);
            // Java also accepts "1f" and "2d"; no CSV writer means those as numbers, so they are refused.
            if (last != 'f' && last != 'F' && last != 'd' && last != 'D') {
                try {
                    value = plainInteger(text) ? Integer.parseInt(text) : Float.parseFloat(text);
                    parsed = true;
                } catch (NumberFormatException e) {
                    parsed = false;
                }
            }
        }
        if (parsed && Float.isFinite(value)) {
            return value;
        }
        String columnName = names == null ? "column " + column : "column '" + names.get(column) + "'";
        if (text.isEmpty()) {
            throw new BadInputException(where + ": " + columnName + " is empty; every feature and value label needs"
                    + " a number");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (parsed && !Float.isNaN(value) && !unsigned.startsWith("inf")) {
            throw new BadInputException(where + ": " + columnName + " is '" + text + "', beyond the float range"
                    + " (about ±3.4e38)");
        }
        if (parsed || unsigned.equals("nan") || unsigned.equals("inf") || unsigned.equals("infinity")) {
            throw new BadInputException(where + ": " + columnName + " is '" + text + "'; NaN and infinity are not"
                    + " allowed (remove or fill those rows first)");
        }
        throw new BadInputException(where + ": " + columnName + " is not a number: '" + text + "'");
    }

    /**
     * Up to 9 digits with an optional minus: such a text converts exactly through int, which is several
     * times faster than Float.parseFloat on pixel-like data, with the same (correctly rounded) result.
     */
    private static boolean plainInteger(String text) {
        int start = text.charAt(0) == '-' ? 1 : 0;
        int length = text.length() - start;
        if (length < 1 || length > 9) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Fills {@code targets} with class indices. If every label is a non-negative integer it is the index
     * and no names are returned; otherwise the distinct labels, sorted, are the classes and are returned.
     */
    private static List<String> classIndices(List<String> labels, float[] targets) {
        boolean integers = true;
        for (int i = 0; i < labels.size() && integers; i++) {
            String label = labels.get(i);
            integers = !label.isEmpty() && label.length() <= 8 && label.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    && Integer.parseInt(label) <= MAX_CLASS_INDEX;
        }
        if (integers) {
            for (int i = 0; i < targets.length; i++) {
                targets[i] = Integer.parseInt(labels.get(i));
            }
            return List.of();
        }
        List<String> names = new ArrayList<>(new TreeSet<>(labels));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = index.get(labels.get(i));
        }
        return names;
    }

    /** A growable float array, so that rows are not boxed. */
    private static final class Floats {
        private float[] data = new float[1024];
        private int size;

        void add(float value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = value;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
