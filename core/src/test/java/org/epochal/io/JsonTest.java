package org.epochal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void numbersReadAsLongOrDouble() {
        assertEquals(List.of(1L, -2L, 0.5, -3.0e-7, 1e300), Json.parse("[1, -2, 0.5, -3.0e-7, 1e300]"));
    }

    @Test
    void aSignWithoutDigitsOrAWordIsNotAValue() {
        for (String bad : new String[] {"[-]", "[-, 1]", "[x]", "{\"a\": }", "[1.2.3]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        }
    }

    @Test
    void skippedKeysAreLeftOutAtAnyDepthAndTheRestIsRead() {
        String line = "{\"kind\":\"epoch\",\"input\":{\"mean\":0.25,\"feature_mean\":[1.5E-6,[2,-3]],"
                + "\"feature_std\":[]},\"layers\":[{\"feature_mean\":\"x\",\"grad_norm\":2.0}]}";
        Object parsed = Json.parse(line, Set.of("feature_mean", "feature_std"));
        assertEquals(Map.of("kind", "epoch", "input", Map.of("mean", 0.25),
                "layers", List.of(Map.of("grad_norm", 2.0))), parsed);
        assertEquals(Json.parse(line), Json.parse(line, Set.of()));
    }

    @Test
    void aSkippedValueCutShortIsStillAnError() {
        // a probes line the run was writing when it was read: the follower skips it until it is whole
        for (String cut : new String[] {"{\"feature_mean\":[1.5,2", "{\"feature_mean\":[1.5,", "{\"feature_mean\":[-",
                "{\"feature_mean\":[1 2]}", "{\"feature_mean\":"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(cut, Set.of("feature_mean")), cut);
        }
    }
}
