package org.epochal.diagnose;

import org.epochal.kernel.Elementwise;

/**
 * Which units of one ReLU layer (features of a vector, channels of an image) fired during an epoch: a unit
 * fired if any of its outputs in any batch was positive. Only units that have not fired yet are looked at,
 * so once every live unit has fired a batch costs its rows times the dead units (it was rows times all
 * units: 0.2 ms a batch of 512 for the MLP, more than the optimizer step).
 */
final class FiredUnits {
    private final boolean[] fired;
    private final int[] waiting; // waiting[0..left) are the units that have not fired, in no particular order
    private int left;

    FiredUnits(int units) {
        fired = new boolean[units];
        waiting = new int[units];
        for (int u = 0; u < units; u++) {
            waiting[u] = u;
        }
        left = units;
    }

    /** Looks at one batch of outputs: {@code rows} samples of {@code units × per} values each. */
    void mark(float[] y, int rows, int per) {
        int units = fired.length;
        for (int r = 0; r < rows && left > 0; r++) {
            int row = r * units * per;
            for (int w = 0; w < left; ) {
                int u = waiting[w];
                int base = row + u * per;
                if (per == 1 ? y[base] > 0f : Elementwise.anyPositive(y, base, base + per)) {
                    fired[u] = true;
                    waiting[w] = waiting[--left];
                } else {
                    w++;
                }
            }
        }
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
