package org.epochal.run;

import java.util.List;
import java.util.Map;

/**
 * Writes a tree of maps, lists and scalars as block-style YAML (for config.yaml). Strings are quoted
 * whenever YAML could read them as something else, so the file parses back to the same tree.
 */
public final class YamlWriter {
    private YamlWriter() {
    }

    public static String write(Map<String, Object> tree) {
        StringBuilder sb = new StringBuilder();
        map(sb, tree, 0);
        return sb.toString();
    }

    private static void map(StringBuilder sb, Map<?, ?> map, int indent) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            sb.append(" ".repeat(indent)).append(scalar(String.valueOf(e.getKey()))).append(':');
            value(sb, e.getValue(), indent);
        }
    }

    /** Writes a value after "key:" or "-": inline for scalars and short scalar lists, else nested. */
    private static void value(StringBuilder sb, Object v, int indent) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append(" {}\n");
            } else {
                sb.append('\n');
                map(sb, m, indent + 2);
            }
        } else if (v instanceof List<?> list) {
            if (list.stream().allMatch(x -> !(x instanceof Map) && !(x instanceof List))) {
                sb.append(" [");
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(scalar(list.get(i)));
                }
                sb.append("]\n");
            } else {
                sb.append('\n');
                for (Object item : list) {
                    sb.append(" ".repeat(indent + 2)).append('-');
                    if (item instanceof Map<?, ?> m && !m.isEmpty()) {
                        // First key on the dash line, the rest aligned under it.
                        StringBuilder inner = new StringBuilder();
                        map(inner, m, indent + 4);
                        sb.append(' ').append(inner.substring(indent + 4));
                    } else {
                        value(sb, item, indent + 2);
                    }
                }
            }
        } else {
            sb.append(' ').append(scalar(v)).append('\n');
        }
    }

    static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return ".nan";
            }
            if (d.isInfinite()) {
                return d > 0 ? ".inf" : "-.inf";
            }
            // YAML 1.1 reads an exponent as a float only with a sign and a dot: 1.0E10 → 1.0E+10.
            String text = d.toString();
            int e = text.indexOf('E');
            return e > 0 && text.charAt(e + 1) != '-' ? text.substring(0, e + 1) + "+" + text.substring(e + 1) : text;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String s = v.toString();
        boolean plain = !s.isEmpty() && s.matches("[A-Za-z_/.][A-Za-z0-9_./+-]*")
                && !s.matches("(?i)true|false|yes|no|on|off|null|~|y|n|\\.nan|\\.inf") && !s.matches("[0-9.+-].*");
        if (plain) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
