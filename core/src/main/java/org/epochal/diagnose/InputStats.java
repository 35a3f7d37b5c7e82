package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.kernel.Elementwise;
import org.epochal.tensor.Tensor;

/**
 * The statistics of the inputs an epoch trained on — per-feature mean and spread, pooled mean and spread —
 * and how far they moved from the previous epoch's: the standardised mean shift (mean over features of
 * |Δμ| / σ_prev) and the ratio of pooled spreads. Added data and augmentation show up here.
 */
final class InputStats {
    private double[] sum;
    private double[] sq;
    private long rows;
    private double[] prevMean;
    private double[] prevStd;
    private double prevPooledStd;

    /** Per half of steps by halves ({@link #addHalf}): their sums, apart, until the epoch ends. */
    private final double[][] halfSum = new double[2][];
    private final double[][] halfSq = new double[2][];
    private final long[] halfRows = new long[2];

    void startEpoch() {
        sum = null;
        rows = 0;
        for (int h = 0; h < 2; h++) {
            if (halfSum[h] != null) {
                java.util.Arrays.fill(halfSum[h], 0);
                java.util.Arrays.fill(halfSq[h], 0);
            }
            halfRows[h] = 0;
        }
    }

    /** Makes the halves' sums for inputs of d features, on the trainer's thread, before any {@link #addHalf}. */
    void prepareHalves(int d) {
        if (halfSum[0] == null || halfSum[0].length != d) {
            for (int h = 0; h < 2; h++) {
                halfSum[h] = new double[d];
                halfSq[h] = new double[d];
            }
        }
    }

    /**
     * Rows [from, to) of a batch into half {@code half}'s own sums: the two halves of a step by halves may
     * run at once, each on the thread that computed its samples. Added to the epoch's at its end, in a fixed
     * order (whole batches, half 0, half 1), so the same bits on any thread count.
     */
    void addHalf(Tensor x, int from, int to, int half) {
        int d = x.sampleSize();
        Elementwise.addRowsAndSquares(x.data(), from * d, to - from, d, halfSum[half], halfSq[half]);
        halfRows[half] += to - from;
    }

    /** One batch, as the model saw it (after normalisation and augmentation). */
    void add(Tensor x) {
        int d = x.sampleSize();
        if (sum == null) {
            sum = new double[d];
            sq = new double[d];
        }
        Elementwise.addRowsAndSquares(x.data(), x.batch(), d, sum, sq);
        rows += x.batch();
    }

    /** The epoch's record (empty if no batch was seen); it becomes the reference for the next epoch. */
    Map<String, Object> finishEpoch() {
        addHalves();
        Map<String, Object> m = new LinkedHashMap<>();
        if (sum == null || rows == 0) {
            return m;
        }
        int d = sum.length;
        double[] mean = new double[d];
        double[] std = new double[d];
        double total = 0;
        double totalSq = 0;
        for (int f = 0; f < d; f++) {
            mean[f] = sum[f] / rows;
            std[f] = Math.sqrt(Math.max(0, sq[f] / rows - mean[f] * mean[f]));
            total += sum[f];
            totalSq += sq[f];
        }
        double pooledMean = total / ((double) rows * d);
        double pooledStd = Math.sqrt(Math.max(0, totalSq / ((double) rows * d) - pooledMean * pooledMean));
        m.put("mean", pooledMean);
        m.put("std", pooledStd);
        m.put("rows", rows);
        if (prevMean != null && prevMean.length == d) {
            // A feature's spread is floored at 1% of the pooled spread, so constant features cannot dominate.
            double shift = 0;
            double floor = Math.max(1e-12, 0.01 * prevPooledStd);
            for (int f = 0; f < d; f++) {
                shift += Math.abs(mean[f] - prevMean[f]) / Math.max(prevStd[f], floor);
            }
            m.put("shift", shift / d);
            m.put("std_ratio", prevPooledStd > 0 ? pooledStd / prevPooledStd : 1.0);
        }
        List<Object> meanList = new ArrayList<>();
        List<Object> stdList = new ArrayList<>();
        for (int f = 0; f < d; f++) {
            // the next epoch compares with what the record holds (floats), as a resumed run must
            mean[f] = (float) mean[f];
            std[f] = (float) std[f];
            meanList.add((float) mean[f]);
            stdList.add((float) std[f]);
        }
        m.put("feature_mean", meanList);
        m.put("feature_std", stdList);
        prevMean = mean;
        prevStd = std;
        prevPooledStd = pooledStd;
        return m;
    }

    /** Adds the halves' sums to the epoch's (whole batches', if any). */
    private void addHalves() {
        if (halfRows[0] + halfRows[1] == 0) {
            return;
        }
        int d = halfSum[0].length;
        if (sum == null) {
            sum = new double[d];
            sq = new double[d];
        }
        for (int f = 0; f < d; f++) {
            sum[f] = sum[f] + halfSum[0][f] + halfSum[1][f];
            sq[f] = sq[f] + halfSq[0][f] + halfSq[1][f];
        }
        rows += halfRows[0] + halfRows[1];
    }

    /**
     * Takes a recorded epoch's statistics as the reference (null: none): a resumed run then measures the next
     * epoch's shift as the uninterrupted one does, both against the per-feature floats of the record.
     */
    @SuppressWarnings("unchecked")
    void restore(Map<String, Object> input) {
        if (input == null || !input.containsKey("feature_mean")) {
            prevMean = null;
            return;
        }
        prevMean = toArray((List<Object>) input.get("feature_mean"));
        prevStd = toArray((List<Object>) input.get("feature_std"));
        prevPooledStd = ((Number) input.get("std")).doubleValue();
    }

    private static double[] toArray(List<Object> list) {
        double[] a = new double[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ((Number) list.get(i)).floatValue(); // written as floats
        }
        return a;
    }
}
