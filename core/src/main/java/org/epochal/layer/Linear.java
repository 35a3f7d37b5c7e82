package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.Gemm;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/** y = x·Wᵀ + b, W of shape [out, in] (PyTorch's layout), for inputs [batch, in]. */
public final class Linear extends Layer {
    private final int out;
    private final boolean hasBias;
    private int in;
    private Parameter weight;
    private Parameter bias;
    private Tensor input;
    private Tensor output;
    private Tensor gradInput;

    public Linear(int out, boolean bias) {
        if (out < 1) {
            throw new IllegalArgumentException("linear: out must be at least 1, got " + out);
        }
        this.out = out;
        this.hasBias = bias;
    }

    public Linear(int out) {
        this(out, true);
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    protected int[] outputShapeFor(int[] inputShape) {
        if (inputShape.length != 1) {
            throw new IllegalArgumentException("expects a vector per sample, got shape "
                    + java.util.Arrays.toString(inputShape) + " (add a flatten layer before it)");
        }
        in = inputShape[0];
        weight = new Parameter("weight", out, in);
        bias = hasBias ? new Parameter("bias", out) : null;
        return new int[] {out};
    }

    @Override
    public List<Parameter> params() {
        return hasBias ? List.of(weight, bias) : List.of(weight);
    }

    @Override
    public void initialize(Rng rng) {
        Init pytorch = Init.pytorchLinearDefault(in);
        weightInit.fill(weight.data(), weight.size(), in, out, pytorch, rng);
        if (hasBias) {
            biasInit.fill(bias.data(), bias.size(), in, out, pytorch, rng);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        input = x;
        output = outputBuffer(output, n);
        float[] y = output.data();
        // n = batch; y[n, out] = b + x[n, in]·Wᵀ  (bias first, then the products accumulate onto it)
        if (hasBias) {
            float[] b = bias.data();
            for (int r = 0; r < n; r++) {
                System.arraycopy(b, 0, y, r * out, out);
            }
        }
        Gemm.gemm(parallel, false, true, n, out, in, x.data(), 0, in, weight.data(), 0, in, hasBias, y, 0, out);
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        float[] dy = gradOutput.data();
        // dW[out, in] += dyᵀ[out, n]·x[n, in]  (= when dW is zero)
        boolean add = !weight.overwritesGrad();
        Gemm.gemm(parallel, true, false, out, in, n, dy, 0, out, input.data(), 0, in, add, weight.grad(), 0, in);
        if (hasBias) {
            // db[o] += Σ_r dy[r, o], rows in order
            float[] db = bias.grad();
            for (int r = 0; r < n; r++) {
                int row = r * out;
                for (int o = 0; o < out; o++) {
                    db[o] += dy[row + o];
                }
            }
        }
        if (!needInputGrad) {
            return null;
        }
        // dx[n, in] = dy[n, out]·W[out, in]
        gradInput = inputBuffer(gradInput, n);
        Gemm.gemm(parallel, false, false, n, in, out, dy, 0, out, weight.data(), 0, in, false, gradInput.data(), 0, in);
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
