package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.Gemm;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * y = x·Wᵀ + b, W of shape [out, in] (PyTorch's), for inputs [batch, in]. W is stored transposed, [in, out]
 * ({@link Parameter#transposed}), so each product reads it along its rows: at batch 1 the forward pass,
 * x·Wᵀ with W as PyTorch stores it, had to transpose all of W to keep every output one chain in input order
 * (784×256: 58 µs; 15 µs from [in, out]). Batches of 64 and 512 measured the same either way.
 */
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
        weight = Parameter.transposed("weight", out, in);
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
        float[] w = new float[weight.size()]; // drawn in PyTorch's order, [out, in]
        weightInit.fill(w, w.length, in, out, pytorch, rng);
        weight.storeShapeOrder(w, weight.data());
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
        // n = batch; y[n, out] = b + x[n, in]·Wt[in, out]  (bias first, then the products accumulate onto it)
        if (hasBias) {
            float[] b = bias.data();
            for (int r = 0; r < n; r++) {
                System.arraycopy(b, 0, y, r * out, out);
            }
        }
        Gemm.gemm(parallel, false, false, n, out, in, x.data(), 0, in, weight.data(), 0, out, hasBias, y, 0, out);
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        float[] dy = gradOutput.data();
        // dWt[in, out] += xᵀ[in, n]·dy[n, out]  (= when dW is zero; for one sample, held as x ⊗ dy until read)
        if (n != 1 || !weight.deferOuterGrad(input.data(), 0, dy, 0)) {
            boolean add = !weight.overwritesGrad();
            Gemm.gemm(parallel, true, false, in, out, n, input.data(), 0, in, dy, 0, out, add, weight.grad(), 0, out);
        }
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
        // dx[n, in] = dy[n, out]·Wtᵀ[out, in]
        gradInput = inputBuffer(gradInput, n);
        Gemm.gemm(parallel, false, true, n, in, out, dy, 0, out, weight.data(), 0, out, false, gradInput.data(), 0, in);
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
