package org.epochal.train;

import java.util.List;

/**
 * Running sums for a loss and the metrics of an experiment over batches: accuracy (argmax against the
 * class index for cross_entropy; logit > 0 against target ≥ 0.5 per output for bce_with_logits) and mae
 * (mean absolute error per output). The loss mean is weighted by batch size.
 */
final class Metrics {
    private final String loss;
    private final List<String> names;
    private double lossSum;
    private long samples;
    private long correct;
    private long judged;
    private double absErrorSum;
    private long values;

    Metrics(String loss, List<String> names) {
        this.loss = loss;
        this.names = names;
    }

    void reset() {
        lossSum = 0;
        samples = 0;
        correct = 0;
        judged = 0;
        absErrorSum = 0;
        values = 0;
    }

    /** Adds one batch: n samples of d outputs, its mean loss, and targets as the loss reads them. */
    void add(float[] out, float[] target, int n, int d, double batchLoss) {
        lossSum += batchLoss * n;
        samples += n;
        for (String name : names) {
            if (name.equals("accuracy")) {
                accuracy(out, target, n, d);
            } else {
                for (int i = 0; i < n * d; i++) {
                    absErrorSum += Math.abs((double) out[i] - target[i]);
                }
                values += (long) n * d;
            }
        }
    }

    private void accuracy(float[] out, float[] target, int n, int d) {
        if (loss.equals("cross_entropy")) {
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < d; k++) {
                    if (out[i * d + k] > out[i * d + best]) {
                        best = k;
                    }
                }
                correct += best == (int) target[i] ? 1 : 0;
            }
            judged += n;
        } else {
            for (int i = 0; i < n * d; i++) {
                correct += (out[i] > 0) == (target[i] >= 0.5f) ? 1 : 0;
            }
            judged += (long) n * d;
        }
    }

    double loss() {
        return samples == 0 ? Double.NaN : lossSum / samples;
    }

    double metric(String name) {
        if (name.equals("accuracy")) {
            return judged == 0 ? Double.NaN : (double) correct / judged;
        }
        return values == 0 ? Double.NaN : absErrorSum / values;
    }
}
