package org.epochal.diagnose;

import org.epochal.kernel.Elementwise;

/**
 * Which units of one ReLU layer (features of a vector, channels of an image) fired during an epoch: a unit
 * fired if any of its outputs in any batch was positive. Once every unit has fired, a batch costs nothing.
 * Until then a dense layer's batch is one vector pass; an image layer's looks only at the planes of channels
 * that have not fired yet (it looked at every row times every unit: 0.2 ms a batch of 512 for the MLP, more
 * than the optimizer step).
 */
final class FiredUnits {
    private final boolean[] fired;
    private final int[] waiting; // waiting[0..left) are the units that have not fired, in no particular order
    private int left;
    private float[] seen; // per == 1: 1 where a unit's output was positive in a batch this epoch

    FiredUnits(int units) {
        fired = new boolean[units];
        waiting = new int[units];
        for (int u = 0; u < units; u++) {
            waiting[u] = u;
        }
        left = units;
        seenHalves[0] = new float[units];
        seenHalves[1] = new float[units];
    }

    /** Looks at one batch of outputs: {@code rows} samples of {@code units × per} values each. */
    void mark(float[] y, int rows, int per) {
        if (left == 0) {
            return;
        }
        if (per == 1) {
            // A dense layer: one vector pass over the batch (looking up each waiting unit in each row missed
            // the cache on every row: 0.1 ms a batch of 512 with the MLP's 40-odd dead units).
            if (seen == null) {
                seen = new float[fired.length];
            }
            Elementwise.markPositive(y, rows, fired.length, seen);
            for (int w = 0; w < left; ) {
                int u = waiting[w];
                if (seen[u] > 0f) {
                    fire(w);
                } else {
                    w++;
                }
            }
            return;
        }
        int units = fired.length;
        for (int r = 0; r < rows && left > 0; r++) {
            int row = r * units * per;
            for (int w = 0; w < left; ) {
                int base = row + waiting[w] * per;
                if (Elementwise.anyPositive(y, base, base + per)) {
                    fire(w);
                } else {
                    w++;
                }
            }
        }
    }

    /** Per half of steps by halves ({@link #markHalf}): 1 where a unit's output was positive this epoch. */
    private final float[][] seenHalves = new float[2][];

    /**
     * Rows [from, to) of a dense layer's outputs [rows, units] into half {@code half}'s own marks (the two
     * halves of a step by halves may run at once, each on the thread that computed its rows); {@link
     * #settleHalves}, on the trainer's thread after both, fires the units either half saw.
     */
    void markHalf(float[] y, int from, int to, int half) {
        if (left == 0) { // changes only in settleHalves and mark, never while halves run
            return;
        }
        int units = fired.length;
        Elementwise.markPositive(y, from * units, to - from, units, seenHalves[half]);
    }

    /** Fires the waiting units that either half has seen positive ({@link #markHalf}). */
    void settleHalves() {
        for (int w = 0; w < left; ) {
            int u = waiting[w];
            if (seenHalves[0][u] > 0f || seenHalves[1][u] > 0f) {
                fire(w);
            } else {
                w++;
            }
        }
    }

    /** waiting[w] fired: it leaves the waiting list, the last waiting unit taking its place. */
    private void fire(int w) {
        fired[waiting[w]] = true;
        waiting[w] = waiting[--left];
    }

    boolean fired(int unit) {
        return fired[unit];
    }

    /** Units that have not fired. */
    int dead() {
        return left;
    }

    int units() {
        return fired.length;
    }
}
