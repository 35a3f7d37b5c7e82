package org.epochal.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reading of one schedule's options for {@link Schedules}: each getter checks the type and applies
 * the default; {@link #finish()} refuses keys no getter asked for, listing the accepted ones. Messages
 * start with the option's name. Numbers may be Integer, Long or Double (an integer option takes a Double
 * only when it is integral), or a string holding a number: SnakeYAML reads YAML 1.1, where {@code 1e-3}
 * (no dot) is a string.
 */
final class OptionReader {
    private final String type;
    private final Map<String, Object> options;
    private final Set<String> accepted = new LinkedHashSet<>(List.of("type"));

    OptionReader(String type, Map<String, Object> options) {
        this.type = type;
        this.options = options == null ? Map.of() : options;
        Object declared = this.options.get("type");
        if (declared != null && !declared.equals(type)) {
            throw new IllegalArgumentException("type: the options are for '" + declared + "', not '" + type + "'");
        }
    }

    private Object get(String key) {
        accepted.add(key);
        return options.get(key);
    }

    private Object required(String key) {
        Object v = get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": is required for schedule " + type);
        }
        return v;
    }

    double number(String key, double fallback) {
        Object v = get(key);
        return v == null ? fallback : toDouble(key, v);
    }

    double number(String key) {
        return toDouble(key, required(key));
    }

    long integer(String key, long fallback) {
        Object v = get(key);
        return v == null ? fallback : toLong(key, v);
    }

    long integer(String key) {
        return toLong(key, required(key));
    }

    int smallInteger(String key, int fallback) {
        long v = integer(key, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": expected an integer in the int range, got " + v);
        }
        return (int) v;
    }

    String string(String key, String fallback) {
        Object v = get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(key + ": expected a string, got " + describe(v));
    }

    Schedule.Unit unit() {
        String unit = string("unit", "epoch");
        Check.oneOf("unit", unit, "epoch", "batch");
        return unit.equals("epoch") ? Schedule.Unit.EPOCH : Schedule.Unit.BATCH;
    }

    List<Long> integers(String key) {
        if (!(required(key) instanceof List<?> list)) {
            throw new IllegalArgumentException(key + ": expected a list of integers, got "
                    + describe(options.get(key)));
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(toLong(key + "." + i, list.get(i)));
        }
        return out;
    }

    /** A mapping of integer keys (Integer from YAML, String from JSON) to numbers. */
    Map<Long, Double> numbersByInteger(String key) {
        if (!(required(key) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(key + ": expected a mapping such as {1: 0.1, 10: 0.01}, got "
                    + describe(options.get(key)));
        }
        Map<Long, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            long k = toLong(key, e.getKey());
            if (out.put(k, toDouble(key + "." + e.getKey(), e.getValue())) != null) {
                throw new IllegalArgumentException(key + ": key " + k + " appears twice");
            }
        }
        return out;
    }

    /** Refuses options that are not among the accepted keys. */
    void finish() {
        accepted.add("unit");
        for (String key : options.keySet()) {
            if (!accepted.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown option for schedule " + type + " (accepted: "
                        + String.join(", ", accepted) + ")");
            }
        }
    }

    private static double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // the error below names the value
            }
        }
        throw new IllegalArgumentException(key + ": expected a number, got " + describe(v));
    }

    private static long toLong(String key, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if ((v instanceof Double || v instanceof Float) && isIntegral(((Number) v).doubleValue())) {
            return (long) ((Number) v).doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // the error below names the value
            }
        }
        throw new IllegalArgumentException(key + ": expected an integer, got " + describe(v));
    }

    private static boolean isIntegral(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15;
    }

    static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof String s) {
            return "'" + s + "' (a string)";
        }
        if (v instanceof Boolean b) {
            return b + " (a boolean)";
        }
        return String.valueOf(v);
    }
}
