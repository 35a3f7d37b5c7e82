package org.epochal.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.epochal.BadInputException;

/**
 * The small real data sets shipped inside the jar (see resources/org/epochal/data/README.md for their
 * origin and licence), so that an example runs with no download.
 */
final class Builtins {
    static final List<String> NAMES = List.of("digits");

    private Builtins() {
    }

    static Dataset load(SourceSpec.Builtin spec, TargetKind kind) {
        return switch (spec.name()) {
            // 1,797 lines of 64 pixel counts (0..16) then the digit; no header.
            case "digits" -> CsvReader.parse(resource("digits.csv.gz"), "builtin:digits", List.of("64"), false, kind);
            default -> throw new BadInputException("builtin data set '" + spec.name() + "' does not exist; known: "
                    + String.join(", ", NAMES));
        };
    }

    /** A gzipped UTF-8 resource next to this class, as text. */
    private static String resource(String name) {
        try (InputStream raw = Builtins.class.getResourceAsStream(name)) {
            if (raw == null) {
                // Only a broken build gets here: the file is part of the jar.
                throw new IllegalStateException("resource org/epochal/data/" + name + " is missing from the jar");
            }
            try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource org/epochal/data/" + name, e);
        }
    }
}
