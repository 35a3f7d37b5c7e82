package org.epochal.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.config.ConfigException;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * An experiment file (YAML, or JSON, which YAML reads too) as a tree with the line of every key, so that
 * an error about key "optimizer.lr" can say "exp.yaml:14". {@code --set KEY=VALUE} overrides apply to the
 * tree before it is read into an {@link Experiment}.
 */
public final class ExperimentFile {
    private final Path file;
    private final Map<String, Object> tree;
    private final Map<String, Integer> lines = new HashMap<>();
    private final Map<String, String> setBy = new HashMap<>();

    private ExperimentFile(Path file, Map<String, Object> tree) {
        this.file = file;
        this.tree = tree;
    }

    /** Parses the file; a YAML syntax error or a non-mapping document is a {@link BadInputException}. */
    @SuppressWarnings("unchecked")
    public static ExperimentFile load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the experiment file (" + e.getMessage() + ")");
        }
        ExperimentFile parsed = new ExperimentFile(file, new LinkedHashMap<>());
        Node root = compose(file.toString(), new StringReader(text));
        if (!(root instanceof MappingNode)) {
            throw new BadInputException(file + ": expected a mapping of keys (name, data, model, ...) at the top");
        }
        parsed.tree.putAll((Map<String, Object>) parsed.value(root, ""));
        return parsed;
    }

    private static Node compose(String where, Reader reader) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        try {
            return new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String at = mark == null ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new BadInputException(where + at + ": YAML syntax error: " + e.getProblem()
                    + (e.getContext() != null ? " (" + e.getContext() + ")" : ""));
        } catch (YAMLException e) {
            throw new BadInputException(where + ": YAML syntax error: " + e.getMessage());
        }
    }

    /** Converts a node to maps, lists and scalars, recording each path's line. */
    private Object value(Node node, String path) {
        lines.put(path, node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode m) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new BadInputException(file + ":" + (t.getKeyNode().getStartMark().getLine() + 1)
                            + ": keys must be plain names");
                }
                String child = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
                if (map.containsKey(k.getValue())) {
                    throw new BadInputException(file + ":" + (k.getStartMark().getLine() + 1) + ": duplicate key '"
                            + child + "' (first at line " + lines.get(child) + ")");
                }
                lines.put(child, k.getStartMark().getLine() + 1);
                map.put(k.getValue(), value(t.getValueNode(), child));
            }
            return map;
        }
        if (node instanceof SequenceNode s) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < s.getValue().size(); i++) {
                list.add(value(s.getValue().get(i), path.isEmpty() ? "" + i : path + "." + i));
            }
            return list;
        }
        return scalar((ScalarNode) node);
    }

    /** A scalar by its resolved YAML tag: int, float, bool, null or string. */
    private static Object scalar(ScalarNode s) {
        String v = s.getValue();
        Tag tag = s.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                long l = Long.decode(v.replace("_", "").replace("+", ""));
                return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) l : l;
            }
            if (Tag.FLOAT.equals(tag)) {
                String f = v.replace("_", "").toLowerCase(java.util.Locale.ROOT);
                return switch (f) {
                    case ".nan" -> Double.NaN;
                    case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                    case "-.inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(f);
                };
            }
        } catch (NumberFormatException e) {
            return v;
        }
        if (Tag.BOOL.equals(tag)) {
            // YAML 1.2 (and JSON) booleans only: YAML 1.1 would read `diagnostics: off` as false.
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
            }
            return v;
        }
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        // YAML 1.1 reads 1e-3 (no dot) as a string; a user of YAML 1.2, JSON or Python means the number.
        if (s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN
                && v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)[eE][-+]?\\d+")) {
            return Double.parseDouble(v);
        }
        return v;
    }

    /** Applies "KEY=VALUE": VALUE is YAML (a number, a word, [list] or {mapping}); KEY a dotted path. */
    @SuppressWarnings("unchecked")
    public void set(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new BadInputException("--set " + assignment + ": expected KEY=VALUE, e.g. --set optimizer.lr=0.01");
        }
        String key = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1);
        Node node = compose("--set " + key, new StringReader(text.isEmpty() ? "''" : text));
        ExperimentFile holder = new ExperimentFile(file, new LinkedHashMap<>());
        Object value = node == null ? null : holder.value(node, "");
        String[] parts = key.split("\\.");
        Object container = tree;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            String sofar = String.join(".", java.util.Arrays.copyOfRange(parts, 0, i + 1));
            boolean last = i == parts.length - 1;
            if (container instanceof Map<?, ?> m) {
                Map<String, Object> map = (Map<String, Object>) m;
                if (last) {
                    map.put(part, value);
                } else {
                    if (!(map.get(part) instanceof Map) && !(map.get(part) instanceof List)) {
                        map.put(part, new LinkedHashMap<String, Object>());
                    }
                    container = map.get(part);
                }
            } else if (container instanceof List<?> l) {
                List<Object> list = (List<Object>) l;
                int index;
                try {
                    index = Integer.parseInt(part);
                } catch (NumberFormatException e) {
                    throw new BadInputException("--set " + key + ": '" + sofar + "' needs a list index, got '" + part + "'");
                }
                if (index < 0 || index >= list.size()) {
                    throw new BadInputException("--set " + key + ": index " + index + " is outside the list of "
                            + list.size() + " items at '" + sofar.substring(0, Math.max(0, sofar.lastIndexOf('.'))) + "'");
                }
                if (last) {
                    list.set(index, value);
                } else {
                    container = list.get(index);
                }
            } else {
                throw new BadInputException("--set " + key + ": '" + sofar + "' is inside a plain value, not a mapping");
            }
        }
        setBy.put(key, assignment);
    }

    /** Reads the tree into an experiment; a problem names the file and line, or the --set that caused it. */
    public Experiment read() {
        try {
            String base = file.getFileName().toString();
            String name = base.contains(".") ? base.substring(0, base.lastIndexOf('.')) : base;
            Path dir = file.toAbsolutePath().getParent();
            return ExperimentReader.read(tree, dir, name);
        } catch (ConfigException e) {
            throw new BadInputException(locate(e));
        }
    }

    /** "exp.yaml:14: key 'optimizer.lr': expected a number, got 'fast'". */
    public String locate(ConfigException e) {
        String path = e.path();
        for (Map.Entry<String, String> s : setBy.entrySet()) {
            if (path.equals(s.getKey()) || path.startsWith(s.getKey() + ".")) {
                return "--set " + s.getValue() + ": key '" + path + "': " + e.problem();
            }
        }
        String probe = path;
        while (!probe.isEmpty() && !lines.containsKey(probe)) {
            probe = probe.contains(".") ? probe.substring(0, probe.lastIndexOf('.')) : "";
        }
        Integer line = lines.get(probe);
        return file + (line != null && !probe.isEmpty() ? ":" + line : "") + ": "
                + (path.isEmpty() ? e.problem() : "key '" + path + "': " + e.problem());
    }

    public Map<String, Object> tree() {
        return tree;
    }

    public Path file() {
        return file;
    }
}
