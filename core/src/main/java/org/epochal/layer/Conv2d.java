package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.BlockSums;
import org.epochal.kernel.Dots;
import org.epochal.kernel.Elementwise;
import org.epochal.kernel.Gemm;
import org.epochal.kernel.Parallel;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as PyTorch) over NCHW input, weight [out, in, kh, kw].
 *
 * <p>Lowered to matrix multiplies through one im2col matrix for the whole batch, laid out
 * col[(c, ki, kj), (n, oh, ow)] — a row per kernel tap, so that filling it is mostly contiguous copies of
 * input rows. Then forward Y = W·col, weight gradient dW = dY·colᵀ, input gradient dcol = Wᵀ·dY, with
 * Y, dY laid out [out, (n, oh, ow)]: the batch-wide reduction of dW is two products, over the two halves of
 * the batch, added: a fixed order, so any thread count gives the same bits. The forward and the input gradient run per thread on a fixed
 * slice of the batch (as the pooling and activation layers around them do), a few samples at a time from
 * start to end (im2col or col2im and the product of their columns), so each core keeps its samples in its
 * own cache: the two cores here sit on different dies.
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
    /** The two halves of the batch's weight gradient, and of its bias gradient. */
    private float[] halves = new float[0];
    private double[] biasHalves = new double[0];
    /** A step by halves' input, dLoss/dOutput, and dLoss/dInput unless it needs none ({@link #prepareHalves}). */
    private Tensor halvesInput;
    private Tensor halvesGradOutput;
    private Tensor halvesGradInput;
    /** Output planes from which the forward multiplies sample by sample, into the output itself. */
    private static final int DIRECT_PLANE = 256;
    /** Floats of col per task in the forward and the input gradient (512 KB). */
    private static final int TASK_FLOATS = 1 << 17;

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
        int plane = oh * ow;
        int cols = n * plane;
        col = grow(col, ckk * cols);
        yt = grow(yt, out * cols);
        output = outputBuffer(output, n);
        float[] xd = x.data();
        float[] y = output.data();
        bySampleGroups(n, (s0, s1, gemms) -> forwardSamples(xd, s0, s1, cols, gemms, y));
        return output;
    }

    /**
     * Samples [s0, s1) from input to output in one task, their im2col block staying in this core's L2:
     * col's columns, then Y[out, those columns] = b + W[out, ckk]·col[ckk, those columns], then Y's
     * columns to y[s, out, plane] (with large planes, each sample's product straight into y).
     */
    private void forwardSamples(float[] x, int s0, int s1, int cols, Parallel gemms, float[] y) {
        int plane = oh * ow;
        int c0 = s0 * plane;
        int width = (s1 - s0) * plane;
        for (int r = 0; r < ckk; r++) {
            im2colRow(x, s0, s1, r, col, cols);
        }
        if (plane >= DIRECT_PLANE) {
            // Large planes (conv1's 26×26): one product per sample, straight into y[s, out, plane].
            for (int s = s0; s < s1; s++) {
                int y0 = s * out * plane;
                fillBias(y, y0, plane, plane);
                Gemm.gemm(gemms, false, false, out, plane, ckk, weight.data(), 0, ckk, col, s * plane, cols, hasBias,
                        y, y0, plane);
            }
            return;
        }
        fillBias(yt, c0, cols, width);
        Gemm.gemm(gemms, false, false, out, width, ckk, weight.data(), 0, ckk, col, c0, cols, hasBias, yt, c0, cols);
        for (int s = s0; s < s1; s++) {
            for (int o = 0; o < out; o++) {
                System.arraycopy(yt, o * cols + s * plane, y, (s * out + o) * plane, plane);
            }
        }
    }

    /** dst[at + o·stride .. + width) = b[o] for every output channel o, when there is a bias. */
    private void fillBias(float[] dst, int at, int stride, int width) {
        if (hasBias) {
            float[] b = bias.data();
            for (int o = 0; o < out; o++) {
                java.util.Arrays.fill(dst, at + o * stride, at + o * stride + width, b[o]);
            }
        }
    }

    /**
     * Samples per group within a thread's slice of the batch, in the forward and the input gradient: all of
     * them on one thread (one product for the whole batch); else {@link #cachedGroup}.
     */
    private int samplesPerGroup(int n) {
        return parallel.threads() == 1 ? n : cachedGroup(n);
    }

    /**
     * Enough samples for about 512 KB of im2col columns (three of conv2's), so that a group's block of col stays
     * in L2 between its im2col, its product and its output.
     */
    private int cachedGroup(int n) {
        return Math.max(1, Math.min(n, TASK_FLOATS / (ckk * oh * ow)));
    }

    /** Work on samples [s0, s1), its products to run on {@code gemms}. */
    private interface SampleGroup {
        void run(int s0, int s1, Parallel gemms);
    }

    /**
     * Runs body on groups of samples, each thread on its slice of the batch (the same samples as in the
     * layers around); the products run on the slice's own thread, unless the batch is one sample.
     */
    private void bySampleGroups(int n, SampleGroup body) {
        int group = samplesPerGroup(n);
        Parallel gemms = parallel.threads() == 1 || n == 1 ? parallel : Parallel.SEQUENTIAL;
        parallel.forSlices(n, (from, to) -> {
            for (int s0 = from; s0 < to; s0 += group) {
                body.run(s0, Math.min(to, s0 + group), gemms);
            }
        });
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        int plane = oh * ow;
        int cols = n * plane;
        float[] dy = gradOutput.data();
        float[] dyt = yt; // the forward's Y buffer now holds dY[out, cols]
        parallel.forSlices(n, (from, to) -> {
            for (int s = from; s < to; s++) {
                for (int o = 0; o < out; o++) {
                    System.arraycopy(dy, (s * out + o) * plane, dyt, o * cols + s * plane, plane);
                }
            }
        });
        // dW[out, ckk] (+)= P0 + P1 and db (+)= B0 + B1, Pi = dY[out, half i]·col[ckk, half i]ᵀ and Bi the sums
        // of dY's rows over half i of the batch (samples [i·n/2, (i+1)·n/2)), each half by the thread that
        // holds those samples; the same halves on any number of threads, so the same bits.
        boolean add = !weight.overwritesGrad();
        int size = out * ckk;
        halves = grow(halves, 2 * size);
        if (biasHalves.length < 2 * out) {
            biasHalves = new double[2 * out];
        }
        parallel.forEachPinned(2, half -> gradientHalf(half, n, cols, dyt));
        float[] dw = weight.grad();
        for (int i = 0; i < size; i++) {
            float sum = halves[i] + halves[size + i];
            dw[i] = add ? dw[i] + sum : sum;
        }
        if (hasBias) {
            float[] db = bias.grad();
            for (int o = 0; o < out; o++) {
                db[o] = (float) (db[o] + (biasHalves[o] + biasHalves[out + o]));
            }
        }
        if (!needInputGrad) {
            return null;
        }
        gradInput = inputBuffer(gradInput, n);
        float[] dx = gradInput.data();
        bySampleGroups(n, (s0, s1, gemms) -> inputGradientSamples(dyt, s0, s1, cols, gemms, dx));
        return gradInput;
    }

    /**
     * Half h of the batch's weight and bias gradients into halves[h·out·ckk ..] and biasHalves[h·out ..]:
     * row dot products for few weights with long sums (a first convolution's), else one product.
     */
    private void gradientHalf(int h, int n, int cols, float[] dyt) {
        int plane = oh * ow;
        int c0 = h * n / 2 * plane;
        int width = (h + 1) * n / 2 * plane - c0;
        weightGradient(Parallel.SEQUENTIAL, c0, width, cols, dyt, halves, h * out * ckk);
        if (hasBias) {
            for (int o = 0; o < out; o++) {
                biasHalves[h * out + o] = biasGradient(o, c0, width, cols, dyt);
            }
        }
    }

    /**
     * dW[out, ckk] = dY[out, columns c0 .. c0 + width)·col[ckk, those columns]ᵀ into dw[at ..]: row dot products
     * for few weights with long sums (a first convolution's), else one product (on {@code team}: the same bits).
     */
    private void weightGradient(Parallel team, int c0, int width, int cols, float[] dyt, float[] dw, int at) {
        if (Dots.suits(out, ckk, width)) {
            Dots.rows(out, ckk, width, dyt, c0, cols, col, c0, cols, false, dw, at, ckk);
        } else {
            Gemm.gemm(team, false, true, out, ckk, width, dyt, c0, cols, col, c0, cols, false, dw, at, ckk);
        }
    }

    /** Σ dY[o, columns c0 .. c0 + width), in a fixed block order (a plain float chain over 21,632 values was slow). */
    private static double biasGradient(int o, int c0, int width, int cols, float[] dyt) {
        return BlockSums.sum(dyt, o * cols + c0, o * cols + c0 + width);
    }

    /**
     * dx of samples [s0, s1) in one task: dcol[ckk, their columns] = Wᵀ[ckk, out]·dY[out, their columns]
     * (col is free now: dW has used it), then col2im of those columns, still in this core's L2.
     */
    private void inputGradientSamples(float[] dyt, int s0, int s1, int cols, Parallel gemms, float[] dx) {
        int c0 = s0 * oh * ow;
        int width = (s1 - s0) * oh * ow;
        Gemm.gemm(gemms, true, false, ckk, width, out, weight.data(), 0, ckk, dyt, c0, cols, false, col, c0, cols);
        for (int ch = 0; ch < c; ch++) {
            col2im(col, s0, s1, ch, cols, dx);
        }
    }

    /**
     * Row r = (c, ki, kj) of col: for every sample and output position, the input value under that kernel
     * tap (0 over padding). With stride 1 each output row is one contiguous run of the input row.
     */
    private void im2colRow(float[] x, int s0, int s1, int r, float[] col, int cols) {
        int kj = r % kw;
        int ki = (r / kw) % kh;
        int ch = r / (kw * kh);
        int plane = oh * ow;
        // output columns j whose input column j·sw − pw + kj lies inside [0, w)
        int jFrom = Math.max(0, -Math.floorDiv(kj - pw, sw));
        int jTo = Math.min(ow, Math.floorDiv(w - 1 + pw - kj, sw) + 1);
        // A short run goes as one vector whose overhang lands in the next run, written after it; never past
        // these samples' part of this row of col (another task's).
        int rowEnd = r * cols + s1 * plane;
        boolean vector = sw == 1 && jTo - jFrom <= Elementwise.RUN_MAX && jFrom + Elementwise.RUN_MAX <= 2 * ow;
        for (int s = s0; s < s1; s++) {
            int xPlane = (s * c + ch) * h * w;
            int dst0 = r * cols + s * plane;
            for (int i = 0; i < oh; i++) {
                int dst = dst0 + i * ow;
                int yy = i * sh - ph + ki;
                if (yy < 0 || yy >= h || jFrom >= jTo) {
                    java.util.Arrays.fill(col, dst, dst + ow, 0f);
                    continue;
                }
                int src = xPlane + yy * w + jFrom * sw - pw + kj;
                if (vector && dst + jFrom + Elementwise.RUN_MAX <= rowEnd && src + Elementwise.RUN_MAX <= x.length) {
                    Elementwise.copyRun(x, src, col, dst + jFrom);
                } else if (sw == 1) {
                    System.arraycopy(x, src, col, dst + jFrom, jTo - jFrom);
                } else {
                    for (int j = jFrom; j < jTo; j++, src += sw) {
                        col[dst + j] = x[src];
                    }
                }
                // the padding after the copy: a vector's overhang may have covered it
                if (jFrom > 0) {
                    java.util.Arrays.fill(col, dst, dst + jFrom, 0f);
                }
                if (jTo < ow) {
                    java.util.Arrays.fill(col, dst + jTo, dst + ow, 0f);
                }
            }
        }
    }

    /**
     * Adds channel ch's rows of dcol back onto the input positions they came from, sample by sample. Taps
     * go in order, so each dx element receives its terms in the same order as a pass sample by sample; but
     * dcol is read row by row (31 KB runs the prefetcher follows, where a sample's 288 short pieces spread
     * over 9 MB were not) and the channel's dx planes stay in cache. Only samples [s0, s1) (a task's).
     */
    private void col2im(float[] dcol, int s0, int s1, int ch, int cols, float[] dx) {
        int plane = oh * ow;
        int hw = h * w;
        for (int s = s0; s < s1; s++) {
            java.util.Arrays.fill(dx, (s * c + ch) * hw, (s * c + ch + 1) * hw, 0f);
        }
        for (int r = ch * kh * kw; r < (ch + 1) * kh * kw; r++) {
            int kj = r % kw;
            int ki = (r / kw) % kh;
            int jFrom = Math.max(0, -Math.floorDiv(kj - pw, sw));
            int jTo = Math.min(ow, Math.floorDiv(w - 1 + pw - kj, sw) + 1);
            int run = jTo - jFrom;
            for (int s = s0; s < s1; s++) {
                int xPlane = (s * c + ch) * hw;
                int xEnd = xPlane + hw;
                int src0 = r * cols + s * plane;
                // Even rows, then odd ones: a row's 16-lane store overlaps the next row's load (13 floats
                // apart) and would stall it. A tap adds at most one term to each element, so any row order
                // gives the same bits.
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = pass; i < oh; i += 2) {
                        int yy = i * sh - ph + ki;
                        if (yy < 0 || yy >= h) {
                            continue;
                        }
                        int src = src0 + i * ow;
                        int dst = xPlane + yy * w + jFrom * sw - pw + kj;
                        if (sw == 1 && run > 0 && run <= Elementwise.RUN_MAX && dst + Elementwise.RUN_MAX <= xEnd
                                && src + jFrom + Elementwise.RUN_MAX <= dcol.length) {
                            // one vector; the lanes past the run (never past this plane) keep their bits
                            Elementwise.addRun(dcol, src + jFrom, dx, dst, run);
                            continue;
                        }
                        for (int j = jFrom; j < jTo; j++, dst += sw) {
                            dx[dst] += dcol[src + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Samples apart, gradients summed over them: by halves. Each half runs its own columns of col and Y (im2col,
     * product, its dW, dcol, col2im), {@link #cachedGroup} samples at a time whatever the thread count, and stores
     * its dW and db (Parameter#halfGrad). Its dW is the whole step's product over that half, so the same bits
     * once the halves are added; db the same double sums, but the two halves are added in float, not in double.
     */
    @Override
    public boolean runsByHalves() {
        return true;
    }

    @Override
    public Tensor prepareHalves(Tensor x) {
        checkInput(x);
        int cols = x.batch() * oh * ow;
        col = grow(col, ckk * cols);
        yt = grow(yt, out * cols);
        output = outputBuffer(output, x.batch());
        halvesInput = x;
        return output;
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        halvesGradOutput = gradOutput;
        halvesGradInput = halvesInputGradient(output, gradOutput, needInputGrad, gradInput);
        gradInput = halvesGradInput != null ? halvesGradInput : gradInput;
        return halvesGradInput;
    }

    @Override
    public void forwardRows(int from, int to, Parallel team) {
        team.forSlices(from, to, forwardGroups);
    }

    /** Samples [from, to) of a step by halves from input to output, a cached group at a time, on this thread. */
    private final Parallel.RangeTask forwardGroups = this::forwardGroups;

    private void forwardGroups(int from, int to) {
        int n = halvesInput.batch();
        int group = cachedGroup(n);
        for (int s0 = from; s0 < to; s0 += group) {
            forwardSamples(halvesInput.data(), s0, Math.min(to, s0 + group), n * oh * ow, Parallel.SEQUENTIAL,
                    output.data());
        }
    }

    @Override
    public void backwardRows(int from, int to, int half, Parallel team) {
        team.forSlices(from, to, copyGradientRows);
        int n = halvesGradOutput.batch();
        int plane = oh * ow;
        int cols = n * plane;
        int c0 = from * plane;
        int width = (to - from) * plane;
        weightGradient(team, c0, width, cols, yt, weight.halfGrad(half), 0);
        if (hasBias) {
            float[] db = bias.halfGrad(half);
            for (int o = 0; o < out; o++) {
                db[o] = (float) biasGradient(o, c0, width, cols, yt);
            }
        }
        if (halvesGradInput != null) {
            team.forSlices(from, to, inputGradientGroups);
        }
    }

    /** dY[out, columns of samples [from, to)] from dLoss/dOutput's [sample, out, plane] rows (a step by halves). */
    private final Parallel.RangeTask copyGradientRows = this::copyGradientRows;

    private void copyGradientRows(int from, int to) {
        int plane = oh * ow;
        int cols = halvesGradOutput.batch() * plane;
        float[] dy = halvesGradOutput.data();
        for (int s = from; s < to; s++) {
            for (int o = 0; o < out; o++) {
                System.arraycopy(dy, (s * out + o) * plane, yt, o * cols + s * plane, plane);
            }
        }
    }

    /** dx of samples [from, to) of a step by halves, a cached group at a time, on this thread. */
    private final Parallel.RangeTask inputGradientGroups = this::inputGradientGroups;

    private void inputGradientGroups(int from, int to) {
        int n = halvesGradOutput.batch();
        int group = cachedGroup(n);
        for (int s0 = from; s0 < to; s0 += group) {
            inputGradientSamples(yt, s0, Math.min(to, s0 + group), n * oh * ow, Parallel.SEQUENTIAL,
                    halvesGradInput.data());
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
