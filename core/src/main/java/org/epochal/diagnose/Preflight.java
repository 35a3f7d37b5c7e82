package org.epochal.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.config.Experiment;
import org.epochal.data.Dataset;
import org.epochal.kernel.Elementwise;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Conv2d;
import org.epochal.layer.Layer;
import org.epochal.layer.Linear;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.tensor.Tensor;
import org.epochal.train.Evaluator;
import org.epochal.train.Trainer;

/**
 * Measurements before epoch 1: the scale of the inputs, the loss of the untrained model against what the
 * loss and class count predict, the initial weight scale of every layer against its fan-in, weights that
 * start all equal, batchnorm batch sizes, and whether labels come in runs (data sorted by class).
 * Runs the model in eval mode only, so it changes nothing that training will see.
 */
final class Preflight {
    private static final int SUBSET = 2048;

    private Preflight() {
    }

    static Map<String, Object> measure(Trainer trainer) {
        Experiment exp = trainer.experiment();
        Sequential model = trainer.model();
        Dataset train = trainer.data().train();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "preflight");
        m.put("epoch", 0);
        m.put("train_samples", train.size());
        m.put("batch_size", exp.data().batchSize());
        int n = train.size();
        int bs = exp.data().batchSize();
        m.put("last_batch_size", exp.data().dropLast() || n % bs == 0 ? bs : n % bs);
        m.put("shuffle", exp.data().shuffle());
        m.put("parameters", model.parameterCount());
        m.put("loss", exp.loss());
        inputs(train, m);
        targets(exp, train, model, m);
        int[] indices = new int[Math.min(SUBSET, n)];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (int) ((long) i * n / indices.length); // spread over the set, whatever its order
        }
        Dataset subset = train.subset(indices);
        Map<String, Double> initial = new Evaluator(model, exp.loss(), List.of(), 256).evaluate(subset);
        m.put("initial_loss", initial.get("loss"));
        m.put("layers", layers(model, subset));
        return m;
    }

    /** Overall and per-feature scale of the (normalised) training inputs. */
    private static void inputs(Dataset train, Map<String, Object> m) {
        int d = train.sampleSize();
        int n = train.size();
        double[] sum = new double[d];
        double[] sq = new double[d];
        // the plain loop's additions, sixteen features at a time (Fashion-MNIST's 47 million values: 33-47 → 10-13 ms)
        Elementwise.addRowsAndSquares(train.features(), n, d, sum, sq);
        double total = 0;
        double totalSq = 0;
        double maxAbsMean = 0;
        double maxStd = 0;
        for (int f = 0; f < d; f++) {
            double mean = sum[f] / n;
            double std = Math.sqrt(Math.max(0, sq[f] / n - mean * mean));
            maxAbsMean = Math.max(maxAbsMean, Math.abs(mean));
            maxStd = Math.max(maxStd, std);
            total += sum[f];
            totalSq += sq[f];
        }
        double mean = total / ((double) n * d);
        m.put("input_mean", mean);
        m.put("input_std", Math.sqrt(Math.max(0, totalSq / ((double) n * d) - mean * mean)));
        m.put("input_max_abs_feature_mean", maxAbsMean);
        m.put("input_max_feature_std", maxStd);
    }

    /**
     * What the loss should be: {@code expected_initial_loss} for an untrained model whose outputs are near 0
     * (ln C for cross-entropy, ln 2 for BCE, E[y²] for MSE) and {@code baseline_loss}, the best a constant
     * prediction can do (the entropy of the labels, or the variance of the targets) — "far from a good value"
     * is measured against it.
     */
    private static void targets(Experiment exp, Dataset train, Sequential model, Map<String, Object> m) {
        float[] t = train.targets();
        int outputs = 1;
        for (int d : model.outputShape()) {
            outputs *= d;
        }
        m.put("outputs", outputs);
        if (exp.classification()) {
            double[] counts = new double[outputs];
            for (float v : t) {
                counts[(int) v]++;
            }
            double entropy = 0;
            double sumP2 = 0;
            for (double c : counts) {
                double p = c / t.length;
                if (p > 0) {
                    entropy -= p * Math.log(p);
                }
                sumP2 += p * p;
            }
            m.put("classes", outputs);
            m.put("expected_initial_loss", Math.log(outputs));
            m.put("baseline_loss", entropy);
            // Labels in runs: how often a sample has the label of the one before, in the order training sees
            // when not shuffling (the file's order), against Σp², the chance of it in a random order.
            int same = 0;
            for (int i = 1; i < t.length; i++) {
                same += t[i] == t[i - 1] ? 1 : 0;
            }
            m.put("label_same_as_previous", t.length > 1 ? (double) same / (t.length - 1) : 0.0);
            m.put("label_same_expected", sumP2);
        } else {
            int w = train.targetWidth();
            double sq = 0;
            double var = 0;
            double entropy = 0;
            for (int k = 0; k < w; k++) {
                double s = 0;
                double s2 = 0;
                for (int r = 0; r < train.size(); r++) {
                    double v = t[r * w + k];
                    s += v;
                    s2 += v * v;
                }
                double mean = s / train.size();
                sq += s2 / train.size();
                var += Math.max(0, s2 / train.size() - mean * mean);
                if (mean > 0 && mean < 1) {
                    entropy += -mean * Math.log(mean) - (1 - mean) * Math.log(1 - mean);
                }
            }
            if (exp.loss().equals("mse")) {
                m.put("expected_initial_loss", sq / w);
                m.put("baseline_loss", var / w);
            } else {
                m.put("expected_initial_loss", Math.log(2));
                m.put("baseline_loss", entropy / w);
            }
        }
    }

    /** Per layer: weight scale against fan-in, equal rows, and activation spread on the subset. */
    private static List<Object> layers(Sequential model, Dataset subset) {
        int count = Math.min(subset.size(), 256);
        Tensor x = new Tensor(subset.sampleShape().length == 0 ? new int[] {count}
                : org.epochal.tensor.Shapes.withBatch(count, subset.sampleShape()));
        System.arraycopy(subset.features(), 0, x.data(), 0, count * subset.sampleSize());
        model.forward(x, false);
        List<Object> out = new ArrayList<>();
        for (Layer layer : model.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", layer.index());
            m.put("type", layer.type());
            if (layer instanceof Linear || layer instanceof Conv2d) {
                Parameter w = layer.params().get(0);
                int[] shape = w.shape();
                int fanIn = w.size() / shape[0];
                float[] values = w.inShapeOrder(w.data()); // a row per output unit
                double[] stats = stats(values, w.size());
                m.put("fan_in", fanIn);
                m.put("weight_mean", stats[0]);
                m.put("weight_std", stats[1]);
                // PyTorch's default U(−1/√fanIn, 1/√fanIn) has std 1/√(3·fanIn); He's normal √(2/fanIn).
                m.put("default_std", 1 / Math.sqrt(3.0 * fanIn));
                m.put("rows_identical", rowsIdentical(values, shape[0], fanIn));
                if (layer.params().size() > 1) {
                    float[] b = layer.params().get(1).data();
                    m.put("bias_mean", stats(b, b.length)[0]);
                }
            }
            if (layer instanceof BatchNorm) {
                int[] in = layer.inputShape();
                m.put("batchnorm", true);
                m.put("values_per_sample_per_channel", org.epochal.tensor.Shapes.size(in) / in[0]);
            }
            Tensor y = layer.lastOutput();
            if (y != null) {
                double[] s = stats(y.data(), y.size());
                m.put("act_mean", s[0]);
                m.put("act_std", s[1]);
            }
            out.add(m);
        }
        return out;
    }

    private static boolean rowsIdentical(float[] w, int rows, int cols) {
        if (rows < 2) {
            return false;
        }
        for (int r = 1; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (w[r * cols + c] != w[c]) {
                    return false;
                }
            }
        }
        return true;
    }

    static double[] stats(float[] v, int n) {
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            s += v[i];
            s2 += (double) v[i] * v[i];
        }
        double mean = s / n;
        return new double[] {mean, Math.sqrt(Math.max(0, s2 / n - mean * mean))};
    }
}
