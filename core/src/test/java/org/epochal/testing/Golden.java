package org.epochal.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.epochal.io.Json;
import org.epochal.io.SafeTensors;
import org.epochal.tensor.Tensor;

/**
 * Loads the PyTorch fixtures that tools/golden/generate.py writes into src/test/resources/golden/, and
 * compares tensors with them. Error measure: max|actual − expected| / max|expected| (norm-wise relative
 * error, so elements near zero are judged against the tensor's scale).
 */
public final class Golden {
    private final String name;
    private final SafeTensors.Contents contents;

    private Golden(String name, SafeTensors.Contents contents) {
        this.name = name;
        this.contents = contents;
    }

    public static Golden load(String name) {
        return new Golden(name, SafeTensors.read(path(name + ".safetensors")));
    }

    /** The file of a fixture resource. */
    public static Path path(String resource) {
        URL url = Golden.class.getResource("/golden/" + resource);
        assertNotNull(url, "missing fixture golden/" + resource + ": run tools/golden/generate.py");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Tensor tensor(String key) {
        SafeTensors.Entry e = contents.tensors().get(key);
        assertNotNull(e, name + " has no tensor '" + key + "'");
        return new Tensor(e.floats().clone(), e.shape());
    }

    public boolean has(String key) {
        return contents.tensors().containsKey(key);
    }

    public float scalar(String key) {
        return tensor(key).data()[0];
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> json(String metadataKey) {
        String text = contents.metadata().get(metadataKey);
        assertNotNull(text, name + " has no metadata '" + metadataKey + "'");
        return (Map<String, Object>) Json.parse(text);
    }

    public String metadata(String key) {
        return contents.metadata().get(key);
    }

    /** Copies fixture tensor {@code key}, in PyTorch's layout, into parameter {@code p} (whatever its own). */
    public void copyInto(String key, org.epochal.layer.Parameter p) {
        Tensor t = tensor(key);
        assertArrayEquals(p.shape(), t.shape(), name + ": shape of " + key);
        p.storeShapeOrder(t.data(), p.data());
    }

    /** {@link #assertClose(String, Tensor, double)} for an array of parameter {@code p}'s layout. */
    public void assertClose(String key, org.epochal.layer.Parameter p, float[] stored, double tol) {
        assertClose(key, new Tensor(p.inShapeOrder(stored).clone(), p.shape()), tol);
    }

    /** Asserts the norm-wise relative error of {@code actual} against fixture {@code key} is at most tol. */
    public void assertClose(String key, Tensor actual, double tol) {
        Tensor expected = tensor(key);
        assertArrayEquals(expected.shape(), actual.shape(), name + ": shape of " + key);
        assertClose(name + " " + key, expected.data(), actual.data(), expected.size(), tol);
    }

    public static void assertClose(String what, float[] expected, float[] actual, int size, double tol) {
        double maxDiff = 0;
        double scale = 0;
        for (int i = 0; i < size; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
            assertTrue(Float.isFinite(actual[i]), what + "[" + i + "] is " + actual[i]);
        }
        double rel = maxDiff / Math.max(scale, 1e-30);
        assertTrue(rel <= tol, what + ": relative error " + rel + " exceeds " + tol);
    }
}
