package org.epochal.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A text file that grows by appends (batches.csv, probes.jsonl while training writes them), read a piece at
 * a time: each {@link #read()} returns the lines finished since the last one, and the unfinished last line
 * if there is one (not consumed: it comes again, finished, in a later piece). A file that was replaced or
 * shortened since (a resumed run rewrites its files) is read again from its start, and the piece says so.
 * Reading a run folder after every epoch from the start had cost time in proportion to the batches so far.
 */
public final class AppendedLines {
    /** What a read found: {@code restarted} means the lines begin the file again (drop what came before). */
    public record Piece(boolean restarted, List<String> lines, String partial) {
    }

    private final Path file;
    private Object fileKey;
    private long offset;

    public AppendedLines(Path file) {
        this.file = file;
    }

    /** The lines finished since the last read (all of them at the first), and the unfinished one or null. */
    public Piece read() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            boolean restarted = offset > 0;
            offset = 0;
            fileKey = null;
            return new Piece(restarted, List.of(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean restarted = offset > 0 && (attributes.size() < offset
                || fileKey != null && !Objects.equals(fileKey, attributes.fileKey()));
        if (restarted) {
            offset = 0;
        }
        fileKey = attributes.fileKey();
        byte[] bytes = tail();
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        // decoded at once and cut at each '\n' (never inside a UTF-8 sequence): a loop over the bytes, one line
        // of probes.jsonl holding 30 KB of per-feature numbers, had C2 compile it with the decoder inlined (an
        // on-stack replacement and a method, 87 ms of compiling in epochs 3-8, JFR) beside the training
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (int start = 0; start < text.length(); ) {
            int newline = text.indexOf('\n', start); // the text ends with one
            int stop = newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : newline;
            lines.add(text.substring(start, stop));
            start = newline + 1;
        }
        offset += end;
        String partial = end < bytes.length ? new String(bytes, end, bytes.length - end, StandardCharsets.UTF_8) : null;
        return new Piece(restarted, lines, partial);
    }

    /** The bytes from {@link #offset} to the end of the file as it is now. */
    private byte[] tail() {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= offset) {
                return new byte[0];
            }
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - offset));
            channel.position(offset);
            // up to the size seen above: what a writer appends meanwhile is for the next read
            int read = 0;
            while (buffer.hasRemaining() && read >= 0) {
                read = channel.read(buffer);
            }
            return buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
