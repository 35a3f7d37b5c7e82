package org.epochal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.epochal.BadInputException;
import org.junit.jupiter.api.Test;

/** The digits data set shipped in the jar: its size, shape and value ranges. */
class BuiltinsTest {
    @Test
    void digits() {
        Dataset data = DataSources.load(new SourceSpec.Builtin("digits"), TargetKind.CLASS_INDEX);
        assertEquals(1797, data.size());
        assertArrayEquals(new int[] {64}, data.sampleShape());
        for (float x : data.features()) {
            assertEquals(Math.rint(x), x);
            assertEquals(true, x >= 0 && x <= 16, "pixel count " + x);
        }
        int[] perClass = new int[10];
        for (float y : data.targets()) {
            perClass[(int) y]++;
        }
        // Known class sizes of this data set (sklearn's load_digits): 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, perClass);
        assertEquals(0, data.targets()[0]);
        assertEquals(1, data.targets()[1]);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> DataSources.load(new SourceSpec.Builtin("mnist"), TargetKind.CLASS_INDEX));
        assertEquals("builtin data set 'mnist' does not exist; known: digits", e.getMessage());
    }
}
