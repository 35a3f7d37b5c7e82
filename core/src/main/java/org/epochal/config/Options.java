package org.epochal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reading of one mapping of an experiment (a layer's options, the optimizer's, ...). Every getter
 * checks the type, applies the default and records the value, so {@link #resolved()} is the mapping with
 * every default filled in (what config.yaml shows) and {@link #finish()} refuses keys nobody read.
 * Errors are {@link ConfigException}s whose path is relative to this mapping.
 */
public final class Options {
    private final Map<String, Object> raw;
    private final Map<String, Object> resolved = new LinkedHashMap<>();

    public Options(Map<String, Object> raw) {
        this.raw = raw == null ? Map.of() : raw;
    }

    /** Reads {@code value} at {@code path} as a mapping, or fails naming the path. */
    @SuppressWarnings("unchecked")
    public static Options of(Object value, String path) {
        if (value == null) {
            return new Options(Map.of());
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new ConfigException(path, "expected a mapping of keys, got " + describe(value));
        }
        return new Options((Map<String, Object>) value);
    }

    public boolean has(String key) {
        return raw.containsKey(key) && raw.get(key) != null;
    }

    /** The raw value (or null), recorded as read. */
    public Object raw(String key) {
        Object v = raw.get(key);
        if (v != null) {
            resolved.put(key, v);
        }
        return v;
    }

    public double number(String key, double fallback) {
        return has(key) ? number(key) : put(key, fallback);
    }

    public double number(String key) {
        Object v = required(key);
        if (v instanceof Number n && !(v instanceof Boolean)) {
            return put(key, n.doubleValue());
        }
        if (v instanceof String s) {
            try {
                return put(key, Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new ConfigException(key, "expected a number, got " + describe(v));
    }

    public int integer(String key, int fallback) {
        return has(key) ? integer(key) : (int) putInt(key, fallback);
    }

    public int integer(String key) {
        long v = longValue(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ConfigException(key, "expected an integer in the int range, got " + v);
        }
        return (int) v;
    }

    public long longValue(String key, long fallback) {
        return has(key) ? longValue(key) : putInt(key, fallback);
    }

    public long longValue(String key) {
        Object v = required(key);
        if (v instanceof Integer || v instanceof Long) {
            return putInt(key, ((Number) v).longValue());
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return putInt(key, d.longValue());
        }
        if (v instanceof String s) {
            try {
                return putInt(key, Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new ConfigException(key, "expected an integer, got " + describe(v));
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            resolved.put(key, fallback);
            return fallback;
        }
        Object v = raw.get(key);
        if (v instanceof Boolean b) {
            resolved.put(key, b);
            return b;
        }
        if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
            resolved.put(key, Boolean.parseBoolean(s));
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key, "expected true or false, got " + describe(v));
    }

    public String string(String key, String fallback) {
        if (!has(key)) {
            if (fallback != null) {
                resolved.put(key, fallback);
            }
            return fallback;
        }
        return string(key);
    }

    public String string(String key) {
        Object v = required(key);
        if (v instanceof String s) {
            resolved.put(key, s);
            return s;
        }
        if (v instanceof Number || v instanceof Boolean) {
            resolved.put(key, v.toString());
            return v.toString();
        }
        throw new ConfigException(key, "expected a string, got " + describe(v));
    }

    /** A string that must be one of {@code allowed}. */
    public String choice(String key, String fallback, String... allowed) {
        String v = string(key, fallback);
        if (v == null) {
            return null;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new ConfigException(key, "expected one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }

    /** A list of integers, or a single integer taken as a list of one. */
    public int[] integers(String key) {
        Object v = required(key);
        List<?> list = v instanceof List<?> l ? l : List.of(v);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object e = list.get(i);
            if (e instanceof Integer || e instanceof Long) {
                out[i] = ((Number) e).intValue();
            } else {
                throw new ConfigException(key + "." + i, "expected an integer, got " + describe(e));
            }
        }
        List<Object> copy = new ArrayList<>();
        for (int x : out) {
            copy.add(x);
        }
        resolved.put(key, copy);
        return out;
    }

    /** A nested mapping (not recorded: the caller records its resolved form with {@link #put}). */
    public Options child(String key) {
        return Options.of(raw.get(key), key);
    }

    /** Records a resolved value for {@code key} (for nested structures the caller resolves). */
    public <T> T put(String key, T value) {
        resolved.put(key, value);
        return value;
    }

    private long putInt(String key, long value) {
        resolved.put(key, value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Object) (int) value : value);
        return value;
    }

    private Object required(String key) {
        Object v = raw.get(key);
        if (v == null) {
            throw new ConfigException(key, "is required");
        }
        return v;
    }

    /** The mapping with defaults filled, in the order keys were read. */
    public Map<String, Object> resolved() {
        return resolved;
    }

    /**
     * Refuses keys that were neither read nor listed in {@code accepted} (listed keys may be read after
     * this call, as nested mappings are), naming the accepted ones.
     */
    public Map<String, Object> finish(String... accepted) {
        List<String> ok = List.of(accepted);
        for (String key : raw.keySet()) {
            if (!resolved.containsKey(key) && !ok.contains(key)) {
                throw new ConfigException(key, "unknown key (expected one of: " + String.join(", ", accepted) + ")");
            }
        }
        return resolved;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return v.toString();
    }
}
