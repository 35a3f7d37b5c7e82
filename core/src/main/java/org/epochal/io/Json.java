package org.epochal.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small strict JSON reader and writer, enough for safetensors headers and run files, so that the core
 * needs no library. Objects read as LinkedHashMap (duplicate keys refused), arrays as List, numbers as
 * Long when integral and written without fraction or exponent, else Double. Nesting is limited, so a
 * hostile document cannot overflow the stack.
 */
public final class Json {
    private static final int MAX_DEPTH = 64;
    private final String text;
    private final Set<String> skipped;
    private int pos;

    private Json(String text, Set<String> skipped) {
        this.text = text;
        this.skipped = skipped;
    }

    /** Parses one JSON value; an error names the character offset and what was expected. */
    public static Object parse(String text) {
        return parse(text, Set.of());
    }

    /**
     * Parses one JSON value, leaving out of its objects (at any depth) the keys named: their values are
     * checked for their structure as they are passed over but neither kept nor converted. The live diagnosis
     * reads the probes' epoch records so, without their per-feature arrays (1,568 numbers an epoch for
     * Fashion-MNIST, which no detector reads; converting them made C2 compile the number parser during
     * training).
     */
    public static Object parse(String text, Set<String> skippedKeys) {
        Json p = new Json(text, skippedKeys);
        p.skipSpace();
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("end of document");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " levels of nesting");
        }
        if (pos >= text.length()) {
            throw error("a value");
        }
        char ch = text.charAt(pos);
        return switch (ch) {
            case '{' -> object(depth);
            case '[' -> array(depth, true);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a string key");
            }
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            boolean skip = skipped.contains(key);
            Object v = skip ? skipValue(depth + 1) : value(depth + 1);
            if (map.containsKey(key)) {
                pos = keyAt;
                throw error("no duplicate key '" + key + "'");
            }
            if (!skip) {
                map.put(key, v);
            }
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == '}') {
                pos++;
                return map;
            } else {
                throw error("',' or '}'");
            }
        }
    }

    /** An array's elements as a list, or, unless {@code keep}, passed over as {@link #skipValue} does (null). */
    private List<Object> array(int depth, boolean keep) {
        List<Object> list = keep ? new ArrayList<>() : null;
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            if (keep) {
                list.add(value(depth + 1));
            } else {
                skipValue(depth + 1);
            }
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == ']') {
                pos++;
                return list;
            } else {
                throw error("',' or ']'");
            }
        }
    }

    /** Passes over one value as {@link #value} reads it; arrays and numbers without building or converting. */
    private Object skipValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " levels of nesting");
        }
        char ch = peek();
        if (ch == '[') {
            return array(depth, false);
        }
        if (ch == '-' || ch >= '0' && ch <= '9') {
            numberEnd();
            return null;
        }
        return value(depth);
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("a closing '\"'");
            }
            char ch = text.charAt(pos++);
            if (ch == '"') {
                return sb.toString();
            }
            if (ch < 0x20) {
                pos--;
                throw error("no control character inside a string");
            }
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            if (pos >= text.length()) {
                throw error("an escape character");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("four hex digits");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("a valid escape");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = numberEnd();
        String s = text.substring(start, pos);
        try {
            if (integral) {
                return Long.parseLong(s);
            }
            return Decimals.parseDouble(s);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("a number (got '" + s + "')");
        }
    }

    /** Moves past a number's characters (a value if none but a sign); whether they are an integer's. */
    private boolean numberEnd() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        boolean integral = true;
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch >= '0' && ch <= '9') {
                pos++;
            } else if (ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-') {
                integral = false;
                pos++;
            } else {
                break;
            }
        }
        if (pos == start || pos == start + 1 && text.charAt(start) == '-') {
            pos = start;
            throw error("a value");
        }
        return integral;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
        return value;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char ch) {
        if (peek() != ch) {
            throw error("'" + ch + "'");
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                pos++;
            } else {
                break;
            }
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("invalid JSON at offset " + pos + ": expected " + expected);
    }

    /** Writes maps, lists, strings, numbers, booleans and null as compact JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            quote(sb, s);
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (value instanceof Iterable<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (value instanceof int[] ints) {
            List<Object> list = new ArrayList<>();
            for (int i : ints) {
                list.add(i);
            }
            write(sb, list);
        } else if (value instanceof Double d) {
            sb.append(Double.isFinite(d) ? d.toString() : "null");
        } else if (value instanceof Float f) {
            sb.append(Float.isFinite(f) ? f.toString() : "null");
        } else {
            sb.append(value);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
