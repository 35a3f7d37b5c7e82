package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files written by hand: two 2x3 images with labels 7 and 200, plain and gzipped, and broken ones. */
class IdxReaderTest {
    private static final byte[] PIXELS = {0, 1, 2, (byte) 253, (byte) 254, (byte) 255, 10, 20, 30, 40, 50, 60};
    private static final byte[] LABELS = {7, (byte) 200};

    @TempDir
    Path dir;

    @Test
    void readsPlainFiles() throws IOException {
        Dataset data = load(write("img", images(2, 2, 3), false), write("lbl", labels(2), false));
        assertEquals(2, data.size());
        assertArrayEquals(new int[] {1, 2, 3}, data.sampleShape());
        assertArrayEquals(new float[] {0, 1, 2, 253, 254, 255, 10, 20, 30, 40, 50, 60}, data.features());
        assertArrayEquals(new float[] {7, 200}, data.targets());
        assertEquals(1, data.targetWidth());
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        // Gzipped data under a plain name, and plain data under a .gz name: both must read.
        Path img = write("images.idx", images(2, 2, 3), true);
        Path lbl = write("labels.gz", labels(2), false);
        Dataset data = load(img, lbl);
        assertArrayEquals(new float[] {0, 1, 2, 253, 254, 255, 10, 20, 30, 40, 50, 60}, data.features());
        assertArrayEquals(new float[] {7, 200}, DataSources.load(new SourceSpec.Idx(img, write("l2", labels(2), true)),
                TargetKind.VALUES).targets());
    }

    @Test
    void swappedFilesGetAHint() throws IOException {
        Path img = write("img", images(2, 2, 3), false);
        Path lbl = write("lbl", labels(2), false);
        String message = error(lbl, img);
        assertTrue(message.startsWith(lbl.toString() + ": magic 0x00000801"), message);
        assertTrue(message.contains("expected magic 0x00000803"), message);
        assertTrue(message.contains("swapped"), message);
    }

    @Test
    void notAnIdxFile() throws IOException {
        Path img = write("img", "hello, world".getBytes(), false);
        String message = error(img, write("lbl", labels(2), false));
        assertTrue(message.startsWith(img + ": magic 0x68656c6c (not an IDX file), expected magic 0x00000803"), message);
    }

    @Test
    void truncatedAndOverlongBodies() throws IOException {
        Path lbl = write("lbl", labels(2), false);
        byte[] full = images(2, 2, 3);
        Path cut = write("cut", Arrays.copyOf(full, full.length - 1), true);
        String message = error(cut, lbl);
        assertTrue(message.startsWith(cut + ": truncated"), message);
        assertTrue(message.contains("promises 12 bytes of data but the file ends after 11"), message);

        Path longer = write("long", Arrays.copyOf(full, full.length + 3), false);
        message = error(longer, lbl);
        assertTrue(message.startsWith(longer + ": 3 bytes more than the header [2, 2, 3] promises"), message);

        Path header = write("header", Arrays.copyOf(full, 6), false);
        assertTrue(error(header, lbl).startsWith(header + ": the file ends inside the IDX header"));
    }

    @Test
    void countsMustMatch() throws IOException {
        Path img = write("img", images(2, 2, 3), false);
        Path lbl = write("lbl", header(0x801, 3, new byte[] {1, 2, 3}), false);
        String message = error(img, lbl);
        assertTrue(message.startsWith(lbl + ": 3 labels but " + img + " has 2 images"), message);
        Path none = write("none", header(0x803, 2, 0, 3, new byte[0]), false);
        assertEquals(none + ": the header's dimensions [2, 0, 3] hold no images", error(none, lbl));
    }

    @Test
    void missingAndEmptyFiles() throws IOException {
        Path lbl = write("lbl", labels(2), false);
        Path missing = dir.resolve("nope.gz");
        assertEquals(missing + ": file not found", error(missing, lbl));
        Path empty = write("empty", new byte[0], false);
        assertTrue(error(empty, lbl).startsWith(empty + ": the file ends inside the IDX header"));
        Path brokenGzip = write("broken", Arrays.copyOf(gzip(images(2, 2, 3)), 15), false);
        assertTrue(error(brokenGzip, lbl).startsWith(brokenGzip + ": broken gzip data"), error(brokenGzip, lbl));
    }

    private Dataset load(Path images, Path labels) {
        return DataSources.load(new SourceSpec.Idx(images, labels), TargetKind.CLASS_INDEX);
    }

    private String error(Path images, Path labels) {
        return assertThrows(BadInputException.class, () -> load(images, labels)).getMessage();
    }

    private static byte[] images(int n, int rows, int cols) {
        return header(0x803, n, rows, cols, Arrays.copyOf(PIXELS, n * rows * cols));
    }

    private static byte[] labels(int n) {
        return header(0x801, n, Arrays.copyOf(LABELS, n));
    }

    /** Big-endian magic and dimensions, then the body; the last argument is the body. */
    static byte[] header(int magic, Object... dimsThenBody) {
        byte[] body = (byte[]) dimsThenBody[dimsThenBody.length - 1];
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * (dimsThenBody.length - 1) + body.length);
        buffer.putInt(magic);
        for (int i = 0; i < dimsThenBody.length - 1; i++) {
            buffer.putInt((Integer) dimsThenBody[i]);
        }
        return buffer.put(body).array();
    }

    private Path write(String name, byte[] bytes, boolean gzipped) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, gzipped ? gzip(bytes) : bytes);
        return path;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
