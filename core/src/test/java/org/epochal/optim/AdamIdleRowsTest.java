package org.epochal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.epochal.kernel.AdamUpdate;
import org.epochal.layer.Parameter;
import org.junit.jupiter.api.Test;

/**
 * Adam's update by rows of an outer-product gradient (AdamUpdate#adamOuterRows) skips a row whose gradient
 * and first moments are zero, and applies the second moments' decays it owes later: the weights and first
 * moments are the bits of the full update at every step, the second moments once settled.
 */
class AdamIdleRowsTest {
    private static final int ROWS = 9;
    /** Three vectors a row, and nine: the owed decays run four vectors at a time, then one. */
    private static final int[] WIDTHS = {3 * AdamUpdate.LANES, 9 * AdamUpdate.LANES};

    /** Row r's left value at a step: rows 0-2 always zero, 3-4 zero until step 70, 5 every other step. */
    private static float left(int r, int step, SplittableRandom rnd) {
        boolean zero = r < 3 || r < 5 && step < 70 || r == 5 && step % 2 == 0;
        float value = (float) rnd.nextGaussian();
        return zero ? (step % 3 == 0 ? -0f : 0f) : value;
    }

    @Test
    void skippedRowsEndWithTheBitsOfTheFullUpdate() {
        for (int width : WIDTHS) {
            skippedRowsEndWithTheBitsOfTheFullUpdate(width);
        }
    }

    private static void skippedRowsEndWithTheBitsOfTheFullUpdate(int cols) {
        for (int variant = 0; variant < 6; variant++) {
            int n = ROWS * cols;
            SplittableRandom init = new SplittableRandom(variant);
            float[] p = new float[n];
            float[] m = new float[n];
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) init.nextGaussian();
                // some just above the smallest normal float: decayed, they are stored as zero
                v[i] = i % 5 == 0 ? (float) (1.19e-38 * (1 + 0.05 * init.nextDouble())) : (float) (init.nextDouble() * 1e-4);
                m[i] = i / cols == 1 || i / cols == 3 ? 0f : (float) (init.nextGaussian() * 1e-3);
            }
            float[] pRef = p.clone();
            float[] mRef = m.clone();
            float[] vRef = v.clone();
            int[] rows = new int[ROWS];
            Arrays.fill(rows, AdamUpdate.BUSY);
            float[] left = new float[ROWS];
            float[] right = new float[cols];
            SplittableRandom rnd = new SplittableRandom(100 + variant);
            float[] k = factors(variant, 1);
            int skipped = 0;
            for (int step = 1; step <= 120; step++) {
                k = factors(variant, step);
                for (int r = 0; r < ROWS; r++) {
                    left[r] = left(r, step, rnd);
                }
                for (int c = 0; c < cols; c++) {
                    right[c] = (float) (rnd.nextGaussian() * 0.1);
                }
                if (variant == 4 && step == 40) {
                    right[7] = Float.POSITIVE_INFINITY; // a zero row's gradient is NaN there: no skipping
                }
                AdamUpdate.adam(pRef, outer(left, right), mRef, vRef, 0, n, k);
                int before = Arrays.stream(rows).map(o -> Math.max(o, 0)).sum();
                boolean finite = AdamUpdate.allFinite(right);
                AdamUpdate.adamOuterRows(p, left, right, m, v, 0, 4, k, rows, finite); // as two chunks
                AdamUpdate.adamOuterRows(p, left, right, m, v, 4, ROWS, k, rows, finite);
                skipped += Arrays.stream(rows).map(o -> Math.max(o, 0)).sum() > before ? 1 : 0;
                String at = "variant " + variant + ", step " + step + ", " + cols + " columns";
                assertArrayEquals(pRef, p, at);
                assertArrayEquals(mRef, m, at);
                if (step % 50 == 0) {
                    AdamUpdate.settleRows(v, cols, 0, ROWS, k[AdamUpdate.BETA2], rows);
                    assertArrayEquals(vRef, v, at);
                }
            }
            AdamUpdate.settleRows(v, cols, 0, ROWS, k[AdamUpdate.BETA2], rows);
            assertArrayEquals(vRef, v, "variant " + variant);
            if (variant < 2 || variant == 4) {
                assertTrue(skipped > 30, "rows were skipped in " + skipped + " steps, variant " + variant);
            } else {
                assertEquals(0, skipped, "no skipping with weight decay, eps 0 or AdamW's decay, variant " + variant);
            }
        }
    }

    @Test
    void adamSettlesTheOwedDecaysBeforeItsStateIsRead() {
        int rows = 6;
        int cols = 2 * AdamUpdate.LANES;
        Parameter fused = new Parameter("w", rows, cols);
        Parameter written = new Parameter("w", rows, cols);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < rows * cols; i++) {
            fused.data()[i] = written.data()[i] = (float) rnd.nextGaussian();
        }
        Adam a = Adam.adam(List.of(fused), 1e-3);
        Adam b = Adam.adam(List.of(written), 1e-3);
        float[] left = new float[rows];
        float[] right = new float[cols];
        for (int step = 1; step <= 60; step++) {
            for (int r = 0; r < rows; r++) {
                left[r] = r < 2 || step < 30 && r < 4 ? 0f : (float) rnd.nextGaussian();
            }
            for (int c = 0; c < cols; c++) {
                right[c] = (float) rnd.nextGaussian();
            }
            for (Parameter p : new Parameter[] {fused, written}) {
                p.zeroGrad();
                assertTrue(p.deferOuterGrad(left, 0, right, 0));
            }
            written.grad(); // written out: b takes the gradient as an array
            a.step();
            b.step();
            assertArrayEquals(written.data(), fused.data(), "step " + step);
            if (step % 20 == 0) { // a checkpoint: the state as the full update has it, and on from there
                assertArrayEquals(b.state().get("exp_avg_sq.0"), a.state().get("exp_avg_sq.0"), "step " + step);
                assertArrayEquals(b.state().get("exp_avg.0"), a.state().get("exp_avg.0"), "step " + step);
            }
        }
    }

    /**
     * The constants at a step: Adam (0; 4, whose right vector holds an infinity at step 40), lr 0 (1), weight
     * decay (2), eps 0 (3), AdamW's decay (5).
     */
    private static float[] factors(int variant, int step) {
        double lr = variant == 1 ? 0 : 1e-3;
        double b1 = 0.9;
        double b2 = 0.999;
        float[] k = new float[AdamUpdate.FACTORS];
        k[AdamUpdate.BETA1] = (float) b1;
        k[AdamUpdate.BETA2] = (float) b2;
        k[AdamUpdate.ONE_MINUS_BETA1] = (float) (1 - b1);
        k[AdamUpdate.ONE_MINUS_BETA2] = (float) (1 - b2);
        k[AdamUpdate.EPS] = variant == 3 ? 0f : 1e-8f;
        k[AdamUpdate.WEIGHT_DECAY] = variant == 2 ? 0.01f : 0f;
        k[AdamUpdate.DECAY] = variant == 5 ? (float) (1 - lr * 0.01) : 1f;
        k[AdamUpdate.STEP_SIZE] = (float) (lr / (1 - Math.pow(b1, step)));
        k[AdamUpdate.INV_BC2_SQRT] = (float) (1 / Math.sqrt(1 - Math.pow(b2, step)));
        k[AdamUpdate.GRAD_SCALE] = 1f;
        return k;
    }

    private static float[] outer(float[] left, float[] right) {
        float[] g = new float[left.length * right.length];
        for (int r = 0; r < left.length; r++) {
            for (int c = 0; c < right.length; c++) {
                g[r * right.length + c] = Math.fma(left[r], right[c], 0f);
            }
        }
        return g;
    }
}
