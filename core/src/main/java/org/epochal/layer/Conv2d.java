package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.Gemm;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as PyTorch) over NCHW input, weight [out, in, kh, kw].
 *
 * <p>Lowered to matrix multiplies through one im2col matrix for the whole batch, laid out
 * col[(n, oh, ow), (c, ki, kj)] — a row per output position. Then
 * forward yᵀ = col·Wᵀ, weight gradient dW = dyᵀᵀ·col, input gradient dcol = dyᵀ·W: the batch-wide
 * reduction of dW is one GEMM summed in a fixed order, so any thread count gives the same bits.
 */
public final class Conv2d extends Layer {
    // n = batch, c = in channels, h, w = input height, width, oh, ow = output height, width
    private final int out, kh, kw, sh, sw, ph, pw;
    private final boolean hasBias;
    private int c, h, w, oh, ow, ckk;
    private Parameter weight;
    private Parameter bias;
    private Tensor output;
    private Tensor gradInput;
    private float[] col = new float[0];
    private float[] yt = new float[0];

    public Conv2d(int out, int kh, int kw, int sh, int sw, int ph, int pw, boolean bias) {
        if (out < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("conv2d: out, kernel and stride must be positive and padding"
                    + " non-negative, got out=" + out + " kernel=" + kh + "x" + kw + " stride=" + sh + "x" + sw
                    + " padding=" + ph + "x" + pw);
        }
        this.out = out;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.hasBias = bias;
    }

    public Conv2d(int out, int kernel, int stride, int padding) {
        this(out, kernel, kernel, stride, stride, padding, padding, true);
    }

    @Override
    public String type() {
        return "conv2d";
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length != 3) {
            throw new IllegalArgumentException("expects [channels, height, width] per sample, got "
                    + java.util.Arrays.toString(in));
        }
        c = in[0];
        h = in[1];
        w = in[2];
        oh = (h + 2 * ph - kh) / sh + 1;
        ow = (w + 2 * pw - kw) / sw + 1;
        if (h + 2 * ph < kh || w + 2 * pw < kw) {
            throw new IllegalArgumentException("kernel " + kh + "x" + kw + " is larger than the padded input "
                    + (h + 2 * ph) + "x" + (w + 2 * pw));
        }
        ckk = c * kh * kw;
        weight = new Parameter("weight", out, c, kh, kw);
        bias = hasBias ? new Parameter("bias", out) : null;
        return new int[] {out, oh, ow};
    }

    @Override
    public List<Parameter> params() {
        return hasBias ? List.of(weight, bias) : List.of(weight);
    }

    @Override
    public void initialize(Rng rng) {
        Init pytorch = Init.pytorchLinearDefault(ckk);
        int fanOut = out * kh * kw;
        weightInit.fill(weight.data(), weight.size(), ckk, fanOut, pytorch, rng);
        if (hasBias) {
            biasInit.fill(bias.data(), bias.size(), ckk, fanOut, pytorch, rng);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        int rows = n * oh * ow;
        col = grow(col, rows * ckk);
        yt = grow(yt, rows * out);
        float[] xd = x.data();
        float[] cd = col;
        parallel.forEach(n, s -> im2col(xd, s, cd));
        if (hasBias) {
            float[] b = bias.data();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(b, 0, yt, r * out, out);
            }
        }
        // yᵀ[rows, out] = b + col[rows, ckk]·Wᵀ
        Gemm.gemm(parallel, false, true, rows, out, ckk, col, 0, ckk, weight.data(), 0, ckk, hasBias, yt, 0, out);
        output = Tensor.reuse(output, n, outputShape());
        float[] y = output.data();
        float[] t = yt;
        int plane = oh * ow;
        parallel.forEach(n, s -> {
            // y[s, o, p] = yᵀ[s·plane + p, o]
            for (int p = 0; p < plane; p++) {
                int src = (s * plane + p) * out;
                for (int o = 0; o < out; o++) {
                    y[(s * out + o) * plane + p] = t[src + o];
                }
            }
        });
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkSameShape(where(), output, gradOutput);
        int n = gradOutput.batch();
        int plane = oh * ow;
        int rows = n * plane;
        float[] dy = gradOutput.data();
        float[] dyt = yt; // reuse the forward's yᵀ buffer for dyᵀ[rows, out]
        parallel.forEach(n, s -> {
            for (int o = 0; o < out; o++) {
                int src = (s * out + o) * plane;
                for (int p = 0; p < plane; p++) {
                    dyt[(s * plane + p) * out + o] = dy[src + p];
                }
            }
        });
        // dW[out, ckk] += dyᵀᵀ[out, rows]·col[rows, ckk]
        Gemm.gemm(parallel, true, false, out, ckk, rows, dyt, 0, out, col, 0, ckk, true, weight.grad(), 0, ckk);
        if (hasBias) {
            float[] db = bias.grad();
            for (int o = 0; o < out; o++) {
                float sum = db[o];
                for (int s = 0; s < n; s++) {
                    int src = (s * out + o) * plane;
                    for (int p = 0; p < plane; p++) {
                        sum += dy[src + p];
                    }
                }
                db[o] = sum;
            }
        }
        if (!needInputGrad) {
            return null;
        }
        // dcol[rows, ckk] = dyᵀ[rows, out]·W[out, ckk]  (col is free now: dW has used it)
        Gemm.gemm(parallel, false, false, rows, ckk, out, dyt, 0, out, weight.data(), 0, ckk, false, col, 0, ckk);
        gradInput = Tensor.reuse(gradInput, n, inputShape());
        float[] dx = gradInput.data();
        float[] dcol = col;
        parallel.forEach(n, s -> col2im(dcol, s, dx));
        return gradInput;
    }

    /** Writes sample s's rows of col from x (zeros where the window covers padding). */
    private void im2col(float[] x, int s, float[] col) {
        int xBase = s * c * h * w;
        int row = s * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, row++) {
                int dst = row * ckk;
                for (int ch = 0; ch < c; ch++) {
                    int plane = xBase + ch * h * w;
                    for (int ki = 0; ki < kh; ki++) {
                        int y = i * sh - ph + ki;
                        boolean rowInside = y >= 0 && y < h;
                        for (int kj = 0; kj < kw; kj++, dst++) {
                            int xx = j * sw - pw + kj;
                            col[dst] = rowInside && xx >= 0 && xx < w ? x[plane + y * w + xx] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds sample s's rows of dcol back onto the input positions they came from (dx zeroed first). */
    private void col2im(float[] dcol, int s, float[] dx) {
        int xBase = s * c * h * w;
        java.util.Arrays.fill(dx, xBase, xBase + c * h * w, 0f);
        int row = s * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, row++) {
                int src = row * ckk;
                for (int ch = 0; ch < c; ch++) {
                    int plane = xBase + ch * h * w;
                    for (int ki = 0; ki < kh; ki++) {
                        int y = i * sh - ph + ki;
                        boolean rowInside = y >= 0 && y < h;
                        for (int kj = 0; kj < kw; kj++, src++) {
                            int xx = j * sw - pw + kj;
                            if (rowInside && xx >= 0 && xx < w) {
                                dx[plane + y * w + xx] += dcol[src];
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] grow(float[] buffer, int size) {
        return buffer.length >= size ? buffer : new float[size];
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
