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

    /**
     * Batches counted by halves (each half's sums apart, as two threads count them) give the statistics of
     * the same batches counted whole, up to the order of the additions; counted in the same halves, the same
     * bits whichever half comes first.
     */
    @Test
    void halvesGiveTheWholeBatchesStatistics() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor[] batches = {batch(r, 40, 19, 0.3), batch(r, 41, 19, 0.3), batch(r, 7, 19, 0.3)};
        InputStats whole = new InputStats();
        InputStats halves = new InputStats();
        InputStats swapped = new InputStats();
        for (InputStats s : new InputStats[] {whole, halves, swapped}) {
            s.startEpoch();
            s.prepareHalves(19);
        }
        for (Tensor x : batches) {
            whole.add(x);
            int n = x.batch();
            halves.addHalf(x, 0, n / 2, 0);
            halves.addHalf(x, n / 2, n, 1);
            swapped.addHalf(x, n / 2, n, 1);
            swapped.addHalf(x, 0, n / 2, 0);
        }
        Map<String, Object> a = whole.finishEpoch();
        Map<String, Object> b = halves.finishEpoch();
        assertEquals(Json.write(b), Json.write(swapped.finishEpoch()));
        assertEquals(a.get("rows"), b.get("rows"));
        assertEquals((double) a.get("mean"), (double) b.get("mean"), 1e-12);
        assertEquals((double) a.get("std"), (double) b.get("std"), 1e-12);
        @SuppressWarnings("unchecked")
        java.util.List<Object> meanA = (java.util.List<Object>) a.get("feature_mean");
        @SuppressWarnings("unchecked")
        java.util.List<Object> meanB = (java.util.List<Object>) b.get("feature_mean");
        for (int f = 0; f < 19; f++) {
            assertEquals((float) meanA.get(f), (float) meanB.get(f), 1e-6f, "feature " + f);
        }
        // the next epoch starts its halves from zero
        halves.startEpoch();
        halves.addHalf(batches[2], 0, 7, 0);
        assertEquals(7L, halves.finishEpoch().get("rows"));
    }
}
