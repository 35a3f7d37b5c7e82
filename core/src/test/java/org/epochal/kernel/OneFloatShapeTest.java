package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine uses one float vector shape, FloatVector.SPECIES_PREFERRED. A second one (an 8-float species
 * for widening to double) put a second FloatVector class into the type profiles of the Vector API's shared
 * methods; C2 then compiled the GEMM's packing and transpose with boxed vectors in some runs, 120–850 KB
 * allocated a batch (AllocationTest failed in CI). Widen halves of a preferred-species vector instead.
 */
class OneFloatShapeTest {
    private static final Pattern OTHER_FLOAT_SHAPE = Pattern.compile(
            "FloatVector\\.SPECIES_(?!PREFERRED)|VectorSpecies\\.of\\(\\s*float\\.class|VectorShape\\.");

    @Test
    void noSourceFileNamesAnotherFloatSpecies() throws IOException {
        Path sources = Path.of("src/main/java");
        assertTrue(Files.isDirectory(sources), "run from the core module: " + sources.toAbsolutePath());
        List<String> offenders;
        try (Stream<Path> files = Files.walk(sources)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> OTHER_FLOAT_SHAPE.matcher(read(p)).find())
                    .map(Path::toString)
                    .toList();
        }
        assertEquals(List.of(), offenders, "float vector species other than SPECIES_PREFERRED");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
