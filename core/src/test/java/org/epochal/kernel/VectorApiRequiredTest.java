package org.epochal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.epochal.layer.Linear;
import org.junit.jupiter.api.Test;

/**
 * A program that builds a model in a JVM started without {@code --add-modules jdk.incubator.vector} (as a
 * library user's might be) is told which flag to add, when the model is built. Before, the first layer
 * failed with a NoClassDefFoundError for jdk.incubator.vector, while the docs promised scalar loops.
 */
class VectorApiRequiredTest {

    /** Run in the child JVM: builds one layer, which loads {@link Parallel}. */
    public static void main(String[] args) {
        try {
            new Linear(3, true);
            System.out.println("built");
        } catch (Throwable t) {
            Throwable cause = t.getCause() != null ? t.getCause() : t;
            System.out.println(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    @Test
    void aJvmWithoutTheVectorApiIsToldTheFlagWhenAModelIsBuilt() throws Exception {
        String without = child(List.of());
        assertEquals("IllegalStateException: " + Gemm.NEEDS_VECTOR_API, without.strip());
        assertTrue(Gemm.NEEDS_VECTOR_API.contains("--add-modules jdk.incubator.vector"));
        assertEquals("built", child(List.of("--add-modules", "jdk.incubator.vector")).strip());
    }

    private static String child(List<String> jvmFlags) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VectorApiRequiredTest.class.getName()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        return out;
    }
}
