package org.epochal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, and every kind of malformed, truncated or hostile file refused with one clear message. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesOrderShapesValuesAndMetadata() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, List.of(
                SafeTensors.Entry.f32("0.weight", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 0, 7}),
                SafeTensors.Entry.i64("1.num_batches_tracked", new int[0], new long[] {42}),
                SafeTensors.Entry.f32("1.bias", new int[] {1}, new float[] {-0f})), Map.of("k", "v"));
        assertEquals(0, (Files.size(file) - 6 * 4 - 8 - 4) % 8, "data section starts 8-byte aligned");
        SafeTensors.Contents c = SafeTensors.read(file);
        assertEquals(List.of("0.weight", "1.num_batches_tracked", "1.bias"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1, -2, 3.5f, Float.MIN_VALUE, 0, 7}, c.tensors().get("0.weight").floats());
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("0.weight").shape());
        assertArrayEquals(new long[] {42}, c.tensors().get("1.num_batches_tracked").longs());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    /** The data section as the format defines it, read without our reader: little-endian, in entry order. */
    @Test
    void dataIsLittleEndianInEntryOrder() throws IOException {
        Path file = dir.resolve("le.safetensors");
        SafeTensors.write(file, List.of(SafeTensors.Entry.f32("a", new int[] {2}, new float[] {1.5f, -3f}),
                SafeTensors.Entry.i64("b", new int[] {1}, new long[] {0x0102030405060708L})), Map.of());
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int data = 8 + (int) bytes.getLong(0);
        assertEquals(Float.floatToIntBits(1.5f), bytes.getInt(data));
        assertEquals(Float.floatToIntBits(-3f), bytes.getInt(data + 4));
        assertEquals(0x08, bytes.get(data + 8), "an i64's lowest byte first");
        assertEquals(0x0102030405060708L, bytes.getLong(data + 8));
        assertEquals(data + 16, bytes.capacity());
    }

    @Test
    void tooShortFile() throws IOException {
        assertRefused(bytes(new byte[] {1, 2, 3}), "too short");
    }

    @Test
    void hugeHeaderLengthIsRefusedWithoutAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 3);
        assertRefused(bytes(b.array()), "declares a header of");
        ByteBuffer b2 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertRefused(bytes(b2.array()), "declares a header of 18446744073709551615 bytes");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertRefused(file("{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertRefused(file("[1, 2]", new byte[0]), "not a JSON object");
    }

    @Test
    void deeplyNestedHeaderDoesNotOverflowTheStack() throws IOException {
        assertRefused(file("[".repeat(100_000), new byte[0]), "not valid JSON");
    }

    @Test
    void offsetsPastTheEndOfTheFile() throws IOException {
        assertRefused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]),
                "outside the data section of 8 bytes");
    }

    @Test
    void offsetsThatDisagreeWithTheShape() throws IOException {
        assertRefused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", new byte[16]),
                "span 16 bytes");
    }

    @Test
    void hugeShapeWithSmallOffsets() throws IOException {
        assertRefused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000,100000],\"data_offsets\":[0,4]}}",
                new byte[4]), "more than 2^31 elements");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "overlaps");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]),
                "4 bytes after its last tensor");
    }

    @Test
    void wrongDtype() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'a' has dtype F16");
    }

    @Test
    void negativeOrFractionalDimension() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "invalid dimension -1");
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]),
                "invalid dimension 1.5");
    }

    @Test
    void truncatedFileWrittenByUs() throws IOException {
        Path file = dir.resolve("full.safetensors");
        SafeTensors.write(file, List.of(SafeTensors.Entry.f32("w", new int[] {100}, new float[100])), null);
        byte[] all = Files.readAllBytes(file);
        assertRefused(bytes(Arrays.copyOf(all, all.length - 10)), "outside the data section");
        assertRefused(bytes(Arrays.copyOf(all, 20)), "declares a header of");
    }

    @Test
    void missingFileNamesIt() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> SafeTensors.read(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }

    private void assertRefused(Path file, String expected) {
        BadInputException e = assertThrows(BadInputException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "message names the file: " + e.getMessage());
    }

    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return bytes(b.array());
    }

    private int counter;

    private Path bytes(byte[] content) throws IOException {
        Path file = dir.resolve("f" + (counter++) + ".safetensors");
        Files.write(file, content);
        return file;
    }
}
