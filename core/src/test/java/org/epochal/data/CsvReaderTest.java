package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV sources on small files: label choice, class numbering, quoting and line endings, and each error. */
class CsvReaderTest {
    @TempDir
    Path dir;

    @Test
    void headerAndLabelByName() throws IOException {
        Dataset data = load("a,y,b\n1,0,2\n3,2,4.5\n", List.of("y"), true, TargetKind.CLASS_INDEX);
        assertArrayEquals(new int[] {2}, data.sampleShape());
        assertArrayEquals(new float[] {1, 2, 3, 4.5f}, data.features());
        assertArrayEquals(new float[] {0, 2}, data.targets());
        assertEquals(List.of(), data.classNames());
    }

    @Test
    void labelByIndexWithoutHeader() throws IOException {
        Dataset data = load("1,2,5\n3,4,6\n", List.of("0"), false, TargetKind.CLASS_INDEX);
        assertArrayEquals(new float[] {2, 5, 4, 6}, data.features());
        assertArrayEquals(new float[] {1, 3}, data.targets());
    }

    @Test
    void stringLabelsAreClassesInSortedOrder() throws IOException {
        Dataset data = load("x,kind\n1,dog\n2,cat\n3,emu\n4,cat\n", List.of("kind"), true, TargetKind.CLASS_INDEX);
        assertEquals(List.of("cat", "dog", "emu"), data.classNames());
        assertArrayEquals(new float[] {1, 0, 2, 0}, data.targets());
    }

    @Test
    void otherFilesTakeTheTrainingClassNumbers() throws IOException {
        Dataset train = load("x,kind\n1,dog\n2,cat\n3,emu\n", List.of("kind"), true, TargetKind.CLASS_INDEX);
        Dataset test = load("x,kind\n1,emu\n2,cat\n", List.of("kind"), true, TargetKind.CLASS_INDEX);
        assertArrayEquals(new float[] {1, 0}, test.targets());
        Dataset aligned = DataSources.alignClasses(test, train.classNames());
        assertArrayEquals(new float[] {2, 0}, aligned.targets());
        assertEquals(train.classNames(), aligned.classNames());

        Dataset wolf = load("x,kind\n1,wolf\n", List.of("kind"), true, TargetKind.CLASS_INDEX);
        assertEquals(file() + ": class 'wolf' does not occur in the training data (classes: cat, dog, emu)",
                assertThrows(BadInputException.class, () -> DataSources.alignClasses(wolf, train.classNames()))
                        .getMessage());
        Dataset numbers = load("x,kind\n1,3\n", List.of("kind"), true, TargetKind.CLASS_INDEX);
        assertArrayEquals(new float[] {3}, DataSources.alignClasses(numbers, List.of()).targets());
    }

    @Test
    void severalValueLabelsInTheGivenOrder() throws IOException {
        Dataset data = load("p,q,r,s\n1,2,3,4\n5,6,7,8\n", List.of("s", "1"), true, TargetKind.VALUES);
        assertEquals(2, data.targetWidth());
        assertArrayEquals(new float[] {1, 3, 5, 7}, data.features());
        assertArrayEquals(new float[] {4, 2, 8, 6}, data.targets());
    }

    @Test
    void quotesCrlfBomAndBlankLines() throws IOException {
        String text = "\uFEFF\"x\",\"the, label\"\r\n\"1.5\",\"a \"\"b\"\", c\"\r\n2,\"multi\nline\"\r\n\r\n\n  \n";
        Dataset data = load(text, List.of("the, label"), true, TargetKind.CLASS_INDEX);
        assertArrayEquals(new float[] {1.5f, 2}, data.features());
        assertEquals(List.of("a \"b\", c", "multi\nline"), data.classNames());
    }

    @Test
    void wrongFieldCountNamesFileAndLine() throws IOException {
        // The record on line 2 spans lines 2 and 3 (a quoted line break), so the short record is on line 4.
        String message = error("a,b,c,d,y\n1,2,3,4,\"x\ny\"\n1,2,3,0\n", List.of("y"), true, TargetKind.CLASS_INDEX);
        assertEquals(file() + ":4: expected 5 fields, found 4", message);
    }

    @Test
    void badNumbersNameTheColumn() throws IOException {
        assertEquals(file() + ":3: column 'b' is not a number: 'abc'",
                error("a,b,y\n1,2,0\n1,abc,0\n", List.of("y"), true, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":2: column 1 is not a number: '2f'",
                error("1,1,0\n1,2f,0\n", List.of("2"), false, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":2: column 'y' is not a number: 'big'",
                error("a,y\n1,big\n", List.of("y"), true, TargetKind.VALUES));
        assertEquals(file() + ":2: column 'a' is empty; every feature and value label needs a number",
                error("a,y\n,1\n", List.of("y"), true, TargetKind.VALUES));
    }

    @Test
    void nanAndInfinityAreRefused() throws IOException {
        for (String bad : List.of("nan", "NaN", "-inf", "Infinity", "1e50")) {
            String message = error("a,y\n1,0\n" + bad + ",1\n", List.of("y"), true, TargetKind.CLASS_INDEX);
            assertTrue(message.startsWith(file() + ":3: column 'a' is '" + bad + "'"), message);
        }
        String message = error("a,y\n1,NaN\n", List.of("y"), true, TargetKind.VALUES);
        assertEquals(file() + ":2: column 'y' is 'NaN'; NaN and infinity are not allowed (remove or fill those rows first)",
                message);
    }

    @Test
    void labelColumnProblems() throws IOException {
        assertEquals(file() + ":1: no column named 'z'; the header has: a, b, y",
                error("a,b,y\n1,2,3\n", List.of("z"), true, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":1: label column 3 is out of range: the file has 3 columns (0..2)",
                error("1,2,3\n", List.of("3"), false, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":1: label column 'y' is a name, but the file is read without a header (header: false);"
                + " give a 0-based column index instead", error("1,2,3\n", List.of("y"), false, TargetKind.CLASS_INDEX));
        assertEquals(file() + ": class labels need exactly one label column, got 2 [a, b]; several label columns are"
                + " for value targets (mse)", error("a,b,y\n1,2,3\n", List.of("a", "b"), true, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":1: every column is a label; no feature is left",
                error("a,y\n1,2\n", List.of("a", "y"), true, TargetKind.VALUES));
    }

    @Test
    void emptyFiles() throws IOException {
        assertEquals(file() + ": the file is empty", error("", List.of("0"), false, TargetKind.CLASS_INDEX));
        assertEquals(file() + ": the file is empty", error("\uFEFF\r\n\n", List.of("0"), false, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":1: a header but no data rows", error("a,y\n\n", List.of("y"), true, TargetKind.CLASS_INDEX));
        assertEquals(file() + ":2: a quoted field opened on this line is never closed",
                error("a,y\n1,\"abc\n", List.of("y"), true, TargetKind.CLASS_INDEX));
        Path missing = dir.resolve("missing.csv");
        assertEquals(missing + ": file not found", assertThrows(BadInputException.class, () -> DataSources.load(
                new SourceSpec.Csv(missing, List.of("y"), true), TargetKind.VALUES)).getMessage());
    }

    private Path file() {
        return dir.resolve("data.csv");
    }

    private Dataset load(String text, List<String> labels, boolean header, TargetKind kind) throws IOException {
        Files.writeString(file(), text);
        return DataSources.load(new SourceSpec.Csv(file(), labels, header), kind);
    }

    private String error(String text, List<String> labels, boolean header, TargetKind kind) throws IOException {
        Files.writeString(file(), text);
        return assertThrows(BadInputException.class,
                () -> DataSources.load(new SourceSpec.Csv(file(), labels, header), kind)).getMessage();
    }
}
