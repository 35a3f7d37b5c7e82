package org.epochal.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import java.util.SplittableRandom;
import org.epochal.io.Json;
import org.epochal.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InputStatsTest {
    private static Tensor batch(SplittableRandom r, int rows, int d, double shift) {
        Tensor x = new Tensor(rows, d);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (shift + r.nextGaussian() * (1 + i % d));
        }
        return x;
    }

    /**
     * A run resumed after epoch 1 reads epoch 1's record back from probes.jsonl (floats in text); its epoch 2
     * record, shift included, is the one the uninterrupted run writes (it differed by 2e-8 in the shift).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aResumedRunMeasuresTheShiftAsTheUninterruptedOne() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor first = batch(r, 50, 7, 0);
        Tensor second = batch(r, 50, 7, 0.1);
        InputStats whole = new InputStats();
        whole.startEpoch();
        whole.add(first);
        Map<String, Object> epoch1 = whole.finishEpoch();
        whole.startEpoch();
        whole.add(second);
        Map<String, Object> epoch2 = whole.finishEpoch();

        InputStats resumed = new InputStats();
        resumed.restore((Map<String, Object>) Json.parse(Json.write(epoch1)));
        resumed.startEpoch();
        resumed.add(second);
        Map<String, Object> again = resumed.finishEpoch();
        assertNotEquals(0.0, epoch2.get("shift"));
        assertEquals(Json.write(epoch2), Json.write(again));
    }
}
