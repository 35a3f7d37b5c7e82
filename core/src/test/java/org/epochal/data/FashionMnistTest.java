package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST files. They are not part of the project, so this test is skipped (through
 * JUnit's Assumptions) on machines without /usr/share/datasets/fashion-mnist; every other data test
 * uses files it writes itself.
 */
class FashionMnistTest {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void loadsTrainingAndTestSets() {
        Path images = DIR.resolve("train-images-idx3-ubyte.gz");
        Path labels = DIR.resolve("train-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(Files.isReadable(images) && Files.isReadable(labels), "no Fashion-MNIST at " + DIR);

        long start = System.nanoTime();
        Dataset train = DataSources.load(new SourceSpec.Idx(images, labels), TargetKind.CLASS_INDEX);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(60_000, train.size());
        assertArrayEquals(new int[] {1, 28, 28}, train.sampleShape());
        int[] perClass = new int[10];
        for (float y : train.targets()) {
            perClass[(int) y]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, perClass);
        float max = 0;
        for (float x : train.features()) {
            max = Math.max(max, x);
        }
        assertEquals(255, max);
        // A loose bound (a cold JVM, a busy machine); the warm load is about 0.2 s.
        assertTrue(millis < 5_000, "loading took " + millis + " ms");

        Dataset test = DataSources.load(new SourceSpec.Idx(DIR.resolve("t10k-images-idx3-ubyte.gz"),
                DIR.resolve("t10k-labels-idx1-ubyte.gz")), TargetKind.CLASS_INDEX);
        assertEquals(10_000, test.size());
    }
}
