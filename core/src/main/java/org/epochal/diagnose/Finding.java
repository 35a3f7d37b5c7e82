package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One diagnosis (SPEC section 5): what happened ({@code id}, where), its likely causes, most likely first,
 * each with the measured numbers behind it, a plain-English explanation, and what to change.
 */
public record Finding(String id, String severity, Integer epoch, Integer batch, String title, List<Cause> causes,
                      String explanation, List<String> suggestions) {

    public static final String INFO = "info";
    public static final String WARNING = "warning";
    public static final String ERROR = "error";

    /** A cause with its confidence in [0, 1] and its evidence (measured numbers, by name). */
    public record Cause(String cause, double confidence, Map<String, Object> evidence) {
        /** Evidence from name, value pairs; doubles are rounded to 4 significant digits to read well. */
        public static Map<String, Object> evidence(Object... pairs) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                Object v = pairs[i + 1];
                m.put((String) pairs[i], v instanceof Double d ? Stats.round(d) : v);
            }
            return m;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cause", cause);
            m.put("confidence", Math.round(confidence * 100) / 100.0);
            m.put("evidence", evidence);
            return m;
        }
    }

    public Finding {
        causes = List.copyOf(causes);
        suggestions = List.copyOf(suggestions);
    }

    /** The first (most likely) cause's name, or null. */
    public String firstCause() {
        return causes.isEmpty() ? null : causes.get(0).cause();
    }

    public boolean isWarningOrError() {
        return severity.equals(WARNING) || severity.equals(ERROR);
    }

    /** The JSON form of diagnosis.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("severity", severity);
        m.put("epoch", epoch);
        m.put("batch", batch);
        m.put("title", title);
        List<Object> c = new ArrayList<>();
        causes.forEach(x -> c.add(x.toMap()));
        m.put("causes", c);
        m.put("explanation", explanation);
        m.put("suggestions", suggestions);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Finding fromMap(Map<String, Object> m) {
        List<Cause> causes = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("causes", List.of())) {
            Map<String, Object> c = (Map<String, Object>) o;
            causes.add(new Cause((String) c.get("cause"), ((Number) c.get("confidence")).doubleValue(),
                    (Map<String, Object>) c.getOrDefault("evidence", Map.of())));
        }
        List<String> suggestions = new ArrayList<>();
        for (Object s : (List<Object>) m.getOrDefault("suggestions", List.of())) {
            suggestions.add(String.valueOf(s));
        }
        return new Finding((String) m.get("id"), (String) m.get("severity"), intOrNull(m.get("epoch")),
                intOrNull(m.get("batch")), (String) m.get("title"), causes, (String) m.get("explanation"), suggestions);
    }

    private static Integer intOrNull(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }

    /** A terminal line: "warning [stalled] epoch 2: Training stalled after epoch 1 — cause lr_too_small (0.8)". */
    public String summaryLine() {
        StringBuilder sb = new StringBuilder(severity).append(" [").append(id).append("]");
        if (epoch != null) {
            sb.append(" epoch ").append(epoch);
        }
        sb.append(": ").append(title);
        if (!causes.isEmpty()) {
            sb.append(" (likely ").append(causes.get(0).cause()).append(')');
        }
        return sb.toString();
    }
}
