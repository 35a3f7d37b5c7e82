package org.epochal.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.data.Dataset;
import org.epochal.layer.Sequential;
import org.epochal.loss.Loss;
import org.epochal.tensor.Tensor;

/** Loss and metrics of a model in eval mode over a whole data set, in batches (reused buffers). */
public final class Evaluator {
    private final Sequential model;
    private final Loss loss;
    private final Metrics metrics;
    private final List<String> names;
    private final int batchSize;
    private Tensor x;
    private Tensor y;

    public Evaluator(Sequential model, String lossName, List<String> metricNames, int batchSize) {
        this.model = model;
        this.loss = Loss.of(lossName);
        this.metrics = new Metrics(lossName, metricNames);
        this.names = metricNames;
        this.batchSize = batchSize;
    }

    /** {"loss": ..., "accuracy": ...} over {@code data} (NaN entries for an empty set). */
    public Map<String, Double> evaluate(Dataset data) {
        metrics.reset();
        int n = data.size();
        int d = data.sampleSize();
        int t = data.targetWidth();
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            x = Tensor.reuse(x, count, data.sampleShape());
            y = Tensor.reuse(y, count, t == 1 ? new int[0] : new int[] {t});
            System.arraycopy(data.features(), start * d, x.data(), 0, count * d);
            System.arraycopy(data.targets(), start * t, y.data(), 0, count * t);
            Tensor out = model.forward(x, false);
            float value = loss.compute(out, y, false);
            metrics.add(out.data(), y.data(), count, out.sampleSize(), value);
        }
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("loss", metrics.loss());
        for (String name : names) {
            result.put(name, metrics.metric(name));
        }
        return result;
    }
}
