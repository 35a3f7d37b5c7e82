package org.epochal.layer;

import java.util.List;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * Batch normalisation over channel 0 of each sample: BatchNorm1d for [C] or [C, L], BatchNorm2d for
 * [C, H, W] (PyTorch's eps 1e-5, momentum 0.1).
 *
 * <p>Training: y = γ·(x − μ)/√(σ² + eps) + β with the batch's mean μ and biased variance σ² per channel,
 * and running_mean ← (1−m)·running_mean + m·μ, running_var ← (1−m)·running_var + m·σ²·M/(M−1)
 * (unbiased, M values per channel). Eval: the running statistics replace the batch's.
 */
public final class BatchNorm extends Layer {
    // n = batch, c = channels, s = spatial positions per channel (1 for vectors), m = n·s values per channel
    public static final float EPS = 1e-5f;
    public static final float MOMENTUM = 0.1f;
    private int c, s;
    private Parameter weight, bias, runningMean, runningVar;
    private long batchesTracked;
    private Tensor input, output, gradInput;
    private float[] mean = new float[0];
    private float[] invStd = new float[0];
    private boolean trainedForward;

    @Override
    public String type() {
        return "batchnorm";
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length < 1 || in.length > 3) {
            throw new IllegalArgumentException("expects [C], [C, L] or [C, H, W] per sample, got "
                    + java.util.Arrays.toString(in));
        }
        c = in[0];
        s = product(in) / c;
        weight = new Parameter("weight", c);
        bias = new Parameter("bias", c);
        runningMean = new Parameter("running_mean", c);
        runningVar = new Parameter("running_var", c);
        java.util.Arrays.fill(weight.data(), 1f);
        java.util.Arrays.fill(runningVar.data(), 1f);
        mean = new float[c];
        invStd = new float[c];
        return in;
    }

    /** "batchnorm1d" or "batchnorm2d", as PyTorch would call it. */
    public String pytorchName() {
        return inputShape().length == 3 ? "BatchNorm2d" : "BatchNorm1d";
    }

    @Override
    public List<Parameter> params() {
        return List.of(weight, bias);
    }

    @Override
    public List<Parameter> buffers() {
        return List.of(runningMean, runningVar);
    }

    /** PyTorch's num_batches_tracked: training forwards seen. */
    public long batchesTracked() {
        return batchesTracked;
    }

    public void setBatchesTracked(long count) {
        batchesTracked = count;
    }

    @Override
    public void initialize(Rng rng) {
        weightInit.fill(weight.data(), c, 1, 1, org.epochal.init.Init.ONES, rng);
        biasInit.fill(bias.data(), c, 1, 1, org.epochal.init.Init.ZEROS, rng);
        java.util.Arrays.fill(runningMean.data(), 0f);
        java.util.Arrays.fill(runningVar.data(), 1f);
        batchesTracked = 0;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        int m = n * s;
        if (training && m <= 1) {
            throw new IllegalArgumentException(where() + ": batch statistics need more than 1 value per channel"
                    + " in training, got batch size " + n + " (use batch_size of at least 2)");
        }
        input = x;
        trainedForward = training;
        output = outputBuffer(output, n);
        float[] xd = x.data();
        float[] y = output.data();
        float[] g = weight.data();
        float[] b = bias.data();
        float[] rm = runningMean.data();
        float[] rv = runningVar.data();
        if (training) {
            batchesTracked++;
        }
        parallel.forEach(c, ch -> {
            float mu;
            float var;
            if (training) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int k = 0; k < s; k++) {
                        sum += xd[base + k];
                    }
                }
                double mu64 = sum / m;
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int k = 0; k < s; k++) {
                        double d = xd[base + k] - mu64;
                        sq += d * d;
                    }
                }
                mu = (float) mu64;
                var = (float) (sq / m);
                rm[ch] = (1f - MOMENTUM) * rm[ch] + MOMENTUM * mu;
                rv[ch] = (1f - MOMENTUM) * rv[ch] + MOMENTUM * (float) (sq / (m - 1));
            } else {
                mu = rm[ch];
                var = rv[ch];
            }
            float inv = (float) (1.0 / Math.sqrt((double) var + EPS));
            mean[ch] = mu;
            invStd[ch] = inv;
            float scale = g[ch] * inv;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    y[base + k] = (xd[base + k] - mu) * scale + b[ch];
                }
            }
        });
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        int m = n * s;
        float[] dy = gradOutput.data();
        float[] xd = input.data();
        float[] g = weight.data();
        float[] dg = weight.grad();
        float[] db = bias.grad();
        gradInput = needInputGrad ? inputBuffer(gradInput, n) : gradInput;
        float[] dx = needInputGrad ? gradInput.data() : null;
        parallel.forEach(c, ch -> {
            float mu = mean[ch];
            float inv = invStd[ch];
            // dβ = Σ dy, dγ = Σ dy·x̂ with x̂ = (x − μ)·invStd
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * s;
                for (int k = 0; k < s; k++) {
                    float d = dy[base + k];
                    sumDy += d;
                    sumDyXhat += d * ((xd[base + k] - mu) * inv);
                }
            }
            db[ch] += (float) sumDy;
            dg[ch] += (float) sumDyXhat;
            if (dx == null) {
                return;
            }
            if (trainedForward) {
                // dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
                float k1 = g[ch] * inv / m;
                float meanDy = (float) sumDy;
                float meanDyXhat = (float) sumDyXhat;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int k = 0; k < s; k++) {
                        float xhat = (xd[base + k] - mu) * inv;
                        dx[base + k] = k1 * (m * dy[base + k] - meanDy - xhat * meanDyXhat);
                    }
                }
            } else {
                // running statistics are constants: dx = dy·γ·invStd
                float scale = g[ch] * inv;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int k = 0; k < s; k++) {
                        dx[base + k] = dy[base + k] * scale;
                    }
                }
            }
        });
        return dx == null ? null : gradInput;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
