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

    void startEpoch() {
        sum = null;
        rows = 0;
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
