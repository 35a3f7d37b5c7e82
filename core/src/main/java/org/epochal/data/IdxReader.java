package org.epochal.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.epochal.BadInputException;

/**
 * Reads MNIST-style IDX files (images 0x00000803 [n, rows, cols] and labels 0x00000801 [n], unsigned
 * bytes, big-endian header), plain or gzipped, into a {@link Dataset} of samples [1, rows, cols].
 *
 * <p>Gzip is recognised by its magic bytes, not the file name, because downloads are often renamed.
 * Pixels stay 0..255: scaling belongs to {@link Normalization}.
 */
final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    // Large chunks: the 47 MB of Fashion-MNIST pixels then cost a few hundred bulk reads, not millions of calls.
    private static final int CHUNK = 1 << 16;

    private IdxReader() {
    }

    static Dataset load(SourceSpec.Idx spec) {
        float[] pixels;
        int[] imageDims;
        try (InputStream in = open(spec.images())) {
            imageDims = header(in, spec.images(), IMAGES_MAGIC, 3);
            pixels = body(in, spec.images(), imageDims);
        } catch (IOException e) {
            throw readError(spec.images(), e);
        }
        float[] labels;
        try (InputStream in = open(spec.labels())) {
            int[] labelDims = header(in, spec.labels(), LABELS_MAGIC, 1);
            if (labelDims[0] != imageDims[0]) {
                throw new BadInputException(spec.labels() + ": " + labelDims[0] + " labels but " + spec.images()
                        + " has " + imageDims[0] + " images; each image needs exactly one label");
            }
            labels = body(in, spec.labels(), labelDims);
        } catch (IOException e) {
            throw readError(spec.labels(), e);
        }
        String origin = spec.images().getFileName() + " + " + spec.labels().getFileName();
        return new Dataset(pixels, new int[] {1, imageDims[1], imageDims[2]}, labels, 1, List.of(), origin);
    }

    /** The file as a stream of IDX bytes, un-gzipped when it starts with the gzip magic 0x1f 0x8b. */
    private static InputStream open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new BadInputException(path + ": is a folder, not an IDX file");
        }
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(path), CHUNK);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in, CHUNK);
        }
        return in;
    }

    /** Reads the magic and the dimensions, checking them against what this file must hold. */
    private static int[] header(InputStream in, Path path, int expectedMagic, int expectedRank) throws IOException {
        int magic = readInt(in, path);
        if (magic != expectedMagic) {
            throw new BadInputException(path + ": " + describeMagic(magic) + ", expected "
                    + describeMagic(expectedMagic) + hintSwap(magic, expectedMagic));
        }
        int[] dims = new int[expectedRank];
        long size = 1;
        for (int i = 0; i < expectedRank; i++) {
            // Dimensions are unsigned 32-bit in the format; anything at or above 2^31 is corrupt for us.
            dims[i] = readInt(in, path);
            if (dims[i] < 0) {
                throw new BadInputException(path + ": dimension " + i + " in the header is "
                        + Integer.toUnsignedString(dims[i]) + ", too large to be real");
            }
            size *= dims[i];
        }
        if (size == 0) {
            throw new BadInputException(path + ": the header's dimensions " + Arrays.toString(dims) + " hold no "
                    + (expectedMagic == IMAGES_MAGIC ? "images" : "labels"));
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new BadInputException(path + ": the header's dimensions " + Arrays.toString(dims)
                    + " make more than 2^31 values, more than Epochal can hold in memory");
        }
        return dims;
    }

    /** The data after the header as floats 0..255, refusing a body shorter or longer than the header says. */
    private static float[] body(InputStream in, Path path, int[] dims) throws IOException {
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        float[] values = new float[size];
        byte[] chunk = new byte[CHUNK];
        int done = 0;
        while (done < size) {
            int n = in.read(chunk, 0, Math.min(CHUNK, size - done));
            if (n < 0) {
                throw new BadInputException(path + ": truncated: the header " + Arrays.toString(dims)
                        + " promises " + size + " bytes of data but the file ends after " + done);
            }
            for (int i = 0; i < n; i++) {
                values[done + i] = chunk[i] & 0xFF;
            }
            done += n;
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new BadInputException(path + ": " + extra + " bytes more than the header "
                    + Arrays.toString(dims) + " promises (" + size + " bytes of data); is the header"
                    + " or the file wrong?");
        }
        return values;
    }

    private static int readInt(InputStream in, Path path) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new BadInputException(path + ": the file ends inside the IDX header (is it empty or cut short?)");
        }
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static String describeMagic(int magic) {
        String hex = String.format("0x%08x", magic);
        return switch (magic) {
            case IMAGES_MAGIC -> "magic " + hex + " (IDX images: unsigned bytes, 3 dimensions)";
            case LABELS_MAGIC -> "magic " + hex + " (IDX labels: unsigned bytes, 1 dimension)";
            default -> (magic >>> 16) == 0 ? "magic " + hex + " (an IDX file of another type or rank)"
                    : "magic " + hex + " (not an IDX file)";
        };
    }

    private static String hintSwap(int found, int expected) {
        if (found == LABELS_MAGIC && expected == IMAGES_MAGIC) {
            return "; this is a labels file: are `images` and `labels` swapped?";
        }
        if (found == IMAGES_MAGIC && expected == LABELS_MAGIC) {
            return "; this is an images file: are `images` and `labels` swapped?";
        }
        return "";
    }

    private static BadInputException readError(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new BadInputException(path + ": file not found", e);
        }
        if (e instanceof AccessDeniedException) {
            return new BadInputException(path + ": permission denied", e);
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            // EOFException here comes from GZIPInputStream: the compressed stream is cut short.
            return new BadInputException(path + ": broken gzip data (" + e.getMessage() + ")", e);
        }
        return new BadInputException(path + ": cannot read: " + e, e);
    }
}
