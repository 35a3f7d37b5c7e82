package org.epochal.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendedLinesTest {
    @TempDir
    Path dir;

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void eachReadGivesTheLinesFinishedSinceTheLast() throws IOException {
        Path file = dir.resolve("a.csv");
        AppendedLines lines = new AppendedLines(file);
        AppendedLines.Piece none = lines.read();
        assertEquals(List.of(), none.lines(), "no file yet");
        assertNull(none.partial());
        append(file, "h1,h2\n1,2\n3,");
        AppendedLines.Piece first = lines.read();
        assertFalse(first.restarted());
        assertEquals(List.of("h1,h2", "1,2"), first.lines());
        assertEquals("3,", first.partial(), "the unfinished line is shown, not consumed");
        append(file, "4\r\n5,6\n");
        AppendedLines.Piece second = lines.read();
        assertEquals(List.of("3,4", "5,6"), second.lines());
        assertNull(second.partial());
        assertEquals(List.of(), lines.read().lines(), "nothing new");
    }

    @Test
    void aReplacedOrShortenedFileIsReadFromItsStart() throws IOException {
        Path file = dir.resolve("b.csv");
        append(file, "h\n1\n2\n");
        AppendedLines lines = new AppendedLines(file);
        assertEquals(List.of("h", "1", "2"), lines.read().lines());
        // as a resumed run rewrites it: a new file moved over the old one, longer than what was read
        Path tmp = dir.resolve("b.csv.tmp");
        Files.writeString(tmp, "h\n1\n9\n10\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        AppendedLines.Piece replaced = lines.read();
        assertTrue(replaced.restarted());
        assertEquals(List.of("h", "1", "9", "10"), replaced.lines());
        Files.writeString(file, "h\n"); // shortened in place
        AppendedLines.Piece shortened = lines.read();
        assertTrue(shortened.restarted());
        assertEquals(List.of("h"), shortened.lines());
        Files.delete(file);
        assertTrue(lines.read().restarted(), "gone");
        append(file, "h\n7\n");
        assertEquals(List.of("h", "7"), lines.read().lines());
    }

    /** A follower's table equals a fresh read of the file at every stage, unfinished last lines included. */
    @Test
    void aFollowedTableIsTheTableReadWhole() throws IOException {
        Path file = dir.resolve("c.csv");
        CsvTable.Follower follower = new CsvTable.Follower(file);
        String[] pieces = {"", "epoch,lo", "ss\n", "1,0.5\n1,nan\n2,", "0.25", "\n2,x\n", "3,inf\n"};
        for (int i = 0; i < 200; i++) {
            pieces = java.util.Arrays.copyOf(pieces, pieces.length + 1);
            pieces[pieces.length - 1] = (4 + i) + "," + (1.0 / (i + 1)) + "\n";
        }
        for (String piece : pieces) {
            append(file, piece);
            CsvTable followed = follower.read();
            CsvTable whole = CsvTable.read(file);
            assertEquals(whole.columns(), followed.columns(), "after " + piece);
            assertEquals(whole.rows(), followed.rows(), "after " + piece);
            for (String c : whole.columns()) {
                assertArrayEquals(whole.column(c), followed.column(c), 0.0, c + " after " + piece);
            }
        }
        assertEquals(204, CsvTable.read(file).rows(), "the row of text 'x' is skipped");
    }
}
