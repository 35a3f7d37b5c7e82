package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * Layer normalisation over all of a sample's features, as nn.LayerNorm(input_shape) (eps 1e-5):
 * y = γ ⊙ (x − μ)/√(σ² + eps) + β, μ and the biased σ² taken per sample; γ, β have the sample's shape.
 */
public final class LayerNorm extends Layer {
    // n = batch, d = features per sample
    public static final float EPS = 1e-5f;
    private int d;
    private Parameter weight, bias;
    private Tensor input, output, gradInput;
    private float[] mean = new float[0];
    private float[] invStd = new float[0];

    @Override
    public String type() {
        return "layernorm";
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        d = product(in);
        weight = new Parameter("weight", in);
        bias = new Parameter("bias", in);
        java.util.Arrays.fill(weight.data(), 1f);
        return in;
    }

    @Override
    public List<Parameter> params() {
        return List.of(weight, bias);
    }

    @Override
    public void initialize(Rng rng) {
        weightInit.fill(weight.data(), d, 1, 1, Init.ONES, rng);
        biasInit.fill(bias.data(), d, 1, 1, Init.ZEROS, rng);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        input = x;
        output = outputBuffer(output, n);
        if (mean.length < n) {
            mean = new float[n];
            invStd = new float[n];
        }
        float[] xd = x.data();
        float[] y = output.data();
        float[] g = weight.data();
        float[] b = bias.data();
        parallel.forEach(n, i -> {
            int base = i * d;
            double sum = 0;
            for (int k = 0; k < d; k++) {
                sum += xd[base + k];
            }
            double mu = sum / d;
            double sq = 0;
            for (int k = 0; k < d; k++) {
                double diff = xd[base + k] - mu;
                sq += diff * diff;
            }
            float muF = (float) mu;
            float inv = (float) (1.0 / Math.sqrt(sq / d + EPS));
            mean[i] = muF;
            invStd[i] = inv;
            for (int k = 0; k < d; k++) {
                y[base + k] = (xd[base + k] - muF) * inv * g[k] + b[k];
            }
        });
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        float[] dy = gradOutput.data();
        float[] xd = input.data();
        float[] g = weight.data();
        float[] dg = weight.grad();
        float[] db = bias.grad();
        // Parameter gradients: per feature k, summed over samples in order (split by feature).
        parallel.forEach(Math.max(1, (d + 255) / 256), t -> {
            int k1 = Math.min(d, (t + 1) * 256);
            for (int k = t * 256; k < k1; k++) {
                float sg = dg[k];
                float sb = db[k];
                for (int i = 0; i < n; i++) {
                    float gy = dy[i * d + k];
                    sg += gy * ((xd[i * d + k] - mean[i]) * invStd[i]);
                    sb += gy;
                }
                dg[k] = sg;
                db[k] = sb;
            }
        });
        if (!needInputGrad) {
            return null;
        }
        gradInput = inputBuffer(gradInput, n);
        float[] dx = gradInput.data();
        parallel.forEach(n, i -> {
            // dx = invStd/D · (D·ĝ − Σĝ − x̂·Σ(ĝ·x̂)), ĝ = dy ⊙ γ
            int base = i * d;
            float mu = mean[i];
            float inv = invStd[i];
            double sumG = 0;
            double sumGXhat = 0;
            for (int k = 0; k < d; k++) {
                float gh = dy[base + k] * g[k];
                sumG += gh;
                sumGXhat += gh * ((xd[base + k] - mu) * inv);
            }
            float a = (float) sumG;
            float bb = (float) sumGXhat;
            float k1 = inv / d;
            for (int k = 0; k < d; k++) {
                float xhat = (xd[base + k] - mu) * inv;
                dx[base + k] = k1 * (d * (dy[base + k] * g[k]) - a - xhat * bb);
            }
        });
        return gradInput;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
