package org.epochal.io;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the raw
 * little-endian data, tensors back to back with no holes.
 *
 * <p>Reading trusts nothing: the header length is checked against the file size and a 100 MB cap, every
 * entry's dtype, shape and offsets are checked against each other and the data section before a single
 * tensor is allocated, so a truncated or hostile file gets one clear message and never an out-of-memory.
 * Epochal reads F32 tensors, and I64 for counters such as num_batches_tracked.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    /** One tensor: F32 data in {@code floats} or I64 data in {@code longs}. */
    public record Entry(String name, String dtype, int[] shape, float[] floats, long[] longs) {
        public static Entry f32(String name, int[] shape, float[] data) {
            return new Entry(name, "F32", shape.clone(), data, null);
        }

        public static Entry i64(String name, int[] shape, long[] data) {
            return new Entry(name, "I64", shape.clone(), null, data);
        }

        public int elements() {
            return floats != null ? floats.length : longs.length;
        }
    }

    /** A file's tensors in header order, and its string metadata. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {
    }

    private SafeTensors() {
    }

    /** Reads and validates a whole file; every problem is a {@link BadInputException} naming the file. */
    public static Contents read(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"); FileChannel ch = raf.getChannel()) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "is " + size + " bytes long, too short for a safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLength = lenBuf.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw bad(file, "declares a header of " + Long.toUnsignedString(headerLength)
                        + " bytes, but the file has " + (size - 8) + " bytes after the length field"
                        + " (and headers are at most 100 MB): not a valid safetensors file, or truncated");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBuf, 8);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(file, "has a header that is not UTF-8 text");
            }
            Object parsed;
            try {
                parsed = Json.parse(header.stripTrailing());
            } catch (IllegalArgumentException e) {
                throw bad(file, "has a header that is not valid JSON (" + e.getMessage() + ")");
            }
            if (!(parsed instanceof Map<?, ?> root)) {
                throw bad(file, "has a header that is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Layout> layouts = new ArrayList<>();
            for (Map.Entry<?, ?> e : root.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    metadata = metadata(file, e.getValue());
                } else {
                    layouts.add(layout(file, name, e.getValue(), dataSize));
                }
            }
            checkCoverage(file, layouts, dataSize);
            Map<String, Entry> tensors = new LinkedHashMap<>();
            for (Layout l : layouts) {
                ByteBuffer data = ByteBuffer.allocate((int) (l.end - l.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + l.begin);
                data.flip();
                if (l.dtype.equals("F32")) {
                    float[] values = new float[l.elements];
                    data.asFloatBuffer().get(values);
                    tensors.put(l.name, Entry.f32(l.name, l.shape, values));
                } else {
                    long[] values = new long[l.elements];
                    data.asLongBuffer().get(values);
                    tensors.put(l.name, Entry.i64(l.name, l.shape, values));
                }
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private record Layout(String name, String dtype, int[] shape, int elements, long begin, long end) {
    }

    private static Layout layout(Path file, String name, Object value, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw bad(file, where + " is not described by an object");
        }
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw bad(file, where + " has an unknown field '" + key + "'");
            }
        }
        if (!(info.get("dtype") instanceof String dtype)) {
            throw bad(file, where + " has no dtype");
        }
        int width = switch (dtype) {
            case "F32" -> 4;
            case "I64" -> 8;
            default -> throw bad(file, where + " has dtype " + dtype
                    + "; Epochal reads F32 weights (and I64 counters): convert with tensor.float() before saving");
        };
        if (!(info.get("shape") instanceof List<?> dims)) {
            throw bad(file, where + " has no shape list");
        }
        int[] shape = new int[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw bad(file, where + " has an invalid dimension " + dims.get(i));
            }
            shape[i] = (int) (long) d;
            elements *= d;
            if (elements > Integer.MAX_VALUE - 8) {
                throw bad(file, where + " has more than 2^31 elements");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw bad(file, where + " needs data_offsets [begin, end] as two integers");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(file, where + " has data_offsets [" + begin + ", " + end + "] outside the data section of "
                    + dataSize + " bytes (truncated file?)");
        }
        if (end - begin != elements * width) {
            throw bad(file, where + " has shape " + java.util.Arrays.toString(shape) + " (" + elements * width
                    + " bytes of " + dtype + ") but data_offsets span " + (end - begin) + " bytes");
        }
        return new Layout(name, dtype, shape, (int) elements, begin, end);
    }

    /** Tensors must tile the data section exactly: no overlap, no hole, nothing left over. */
    private static void checkCoverage(Path file, List<Layout> layouts, long dataSize) {
        List<Layout> sorted = new ArrayList<>(layouts);
        sorted.sort(Comparator.comparingLong(Layout::begin).thenComparingLong(Layout::end));
        long at = 0;
        for (Layout l : sorted) {
            if (l.begin != at) {
                throw bad(file, "tensor '" + l.name + "' starts at byte " + l.begin + " of the data section, expected "
                        + at + (l.begin < at ? " (it overlaps another tensor)" : " (a hole before it)"));
            }
            at = l.end;
        }
        if (at != dataSize) {
            throw bad(file, "has " + (dataSize - at) + " bytes after its last tensor");
        }
    }

    private static Map<String, String> metadata(Path file, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw bad(file, "has __metadata__ that is not an object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw bad(file, "has __metadata__ value for '" + e.getKey() + "' that is not a string");
            }
            metadata.put((String) e.getKey(), s);
        }
        return metadata;
    }

    /**
     * Writes tensors in the given order with string metadata. The file appears whole or not at all:
     * it is written beside the target and renamed.
     */
    public static void write(Path file, List<Entry> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Entry t : tensors) {
            long bytes = (long) t.elements() * (t.floats != null ? 4 : 8);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype());
            info.put("shape", t.shape());
            info.put("data_offsets", List.of(offset, offset + bytes));
            if (header.put(t.name(), info) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // header padded with spaces: data starts 8-byte aligned
        ByteBuffer out = ByteBuffer.allocate((int) (8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        // Bulk copies through views: a loop of putFloat here was hot enough at every checkpoint for C2 to
        // compile write() (50-100 ms of the compiler's time during the next epoch, on a core training shares).
        for (Entry t : tensors) {
            if (t.floats != null) {
                out.asFloatBuffer().put(t.floats);
                out.position(out.position() + 4 * t.floats.length);
            } else {
                out.asLongBuffer().put(t.longs);
                out.position(out.position() + 8 * t.longs.length);
            }
        }
        Path absolute = file.toAbsolutePath();
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.write(tmp, out.array());
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static BadInputException bad(Path file, String problem) {
        return new BadInputException(file + ": " + problem);
    }
}
