package org.epochal.data;

import java.util.ArrayList;
import java.util.List;
import org.epochal.BadInputException;

/**
 * Splits CSV text into records of fields, remembering the line each record starts on for messages.
 *
 * <p>Follows RFC 4180 as Python's csv module reads it: a field that starts with a double quote runs to
 * the matching quote, may hold commas and line breaks, and writes a quote as {@code ""}; a quote inside
 * an unquoted field is an ordinary character. Lines end in \n, \r\n or \r. A leading UTF-8 byte order
 * mark is dropped and blank lines are skipped (spreadsheets and editors add both without asking).
 */
final class CsvParser {
    private static final char BOM = '\uFEFF';
    private final String text;
    private final String origin;
    private int pos;
    private int line = 1;
    private int recordLine;

    CsvParser(String text, String origin) {
        this.text = text;
        this.origin = origin;
        this.pos = !text.isEmpty() && text.charAt(0) == BOM ? 1 : 0;
    }

    /** The line (1-based) on which the record last returned by {@link #next()} starts. */
    int line() {
        return recordLine;
    }

    /** The next non-blank record's fields, or null at the end of the text. */
    List<String> next() {
        while (pos < text.length()) {
            recordLine = line;
            List<String> fields = new ArrayList<>();
            boolean anyQuoted = false;
            StringBuilder field = new StringBuilder();
            boolean endOfRecord = false;
            while (!endOfRecord) {
                if (pos < text.length() && text.charAt(pos) == '"') {
                    anyQuoted = true;
                    readQuoted(field);
                    // What follows a closing quote up to the comma is kept, as Python's csv keeps it.
                    while (pos < text.length() && !isDelimiter(text.charAt(pos))) {
                        field.append(text.charAt(pos++));
                    }
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    // The common case: an unquoted field is a plain slice of the text.
                    int start = pos;
                    while (pos < text.length() && !isDelimiter(text.charAt(pos))) {
                        pos++;
                    }
                    fields.add(text.substring(start, pos));
                }
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                } else {
                    skipLineEnd();
                    endOfRecord = true;
                }
            }
            boolean blank = fields.size() == 1 && !anyQuoted && fields.get(0).isBlank();
            if (!blank) {
                return fields;
            }
        }
        return null;
    }

    /** Reads a quoted field's content, from the opening quote to just after the closing one. */
    private void readQuoted(StringBuilder field) {
        int startLine = line;
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw new BadInputException(origin + ":" + startLine + ": a quoted field opened on this line is"
                        + " never closed");
            }
            char ch = text.charAt(pos++);
            if (ch == '"') {
                if (pos < text.length() && text.charAt(pos) == '"') {
                    field.append('"');
                    pos++;
                } else {
                    return;
                }
            } else {
                if (ch == '\n' || (ch == '\r' && (pos >= text.length() || text.charAt(pos) != '\n'))) {
                    line++;
                }
                field.append(ch);
            }
        }
    }

    private static boolean isDelimiter(char ch) {
        return ch == ',' || ch == '\n' || ch == '\r';
    }

    private void skipLineEnd() {
        if (pos >= text.length()) {
            return;
        }
        if (text.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '\n') {
            pos++;
        }
        line++;
    }
}
