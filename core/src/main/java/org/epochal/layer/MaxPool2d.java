package org.epochal.layer;

import org.epochal.kernel.Elementwise;
import org.epochal.kernel.Parallel;
import org.epochal.tensor.Tensor;

/** Max over each window; ties and NaN resolve as PyTorch's CPU kernel does (first maximum; a NaN wins). */
public final class MaxPool2d extends Pool2d {
    private int[] argmax = new int[0];
    private int[] windowStart = new int[0];
    private float[] input; // the last forward's input, for the mask of backwardThroughRelu
    /** A step by halves' dLoss/dOutput, null when it needs no input gradient. */
    private Tensor halvesGradOutput;
    /** Whether the input is the input of a deferred ReLU ({@link ReLU#deferToPooling}): maxima are rectified. */
    private boolean rectifies;

    public MaxPool2d(int kernel, int stride) {
        super("maxpool2d", kernel, kernel, stride, stride);
    }

    @Override
    public String type() {
        return "maxpool2d";
    }

    /**
     * From now on the input is that of the ReLU before this layer, which passes it on: each output is
     * max(0, max(window)), the maximum of the ReLU's outputs over the window, and backwardThroughRelu's
     * mask (input above zero) is the same on either. A window with no positive value may pick another
     * argmax than over the ReLU's zeros, but its gradient is masked to zero either way.
     */
    void rectifyInput() {
        rectifies = true;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        prepare(x);
        parallel.forSlices(x.batch(), forwardSlice);
        return output;
    }

    /** Keeps the input and sizes the output and argmax for its batch (and the windows' map, if used). */
    private void prepare(Tensor x) {
        checkInput(x);
        int n = x.batch();
        output = outputBuffer(output, n);
        if (argmax.length < output.size()) {
            argmax = new int[output.size()];
        }
        input = x.data();
        if (kh == 2 && kw == 2 && !vectorRows()) {
            windows(n);
        }
    }

    /** 2×2 windows of stride 2 whose output rows are one vector each (8 to 16 floats). */
    private boolean vectorRows() {
        return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ow >= 8 && ow <= Elementwise.RUN_MAX;
    }

    private final Parallel.RangeTask forwardSlice = this::forwardSamples;

    /** The forward pass of samples [s0, s1), from {@link #input} into the output and argmax. */
    private void forwardSamples(int s0, int s1) {
        float[] xd = input;
        float[] y = output.data();
        int[] arg = argmax;
        if (vectorRows()) {
            // Whole output rows as vectors; planes in groups, a task claim being costly between these cores.
            for (int plane = s0 * c; plane < s1 * c; plane++) {
                Elementwise.maxPool2x2Plane(xd, plane * h * w, w, oh, ow, y, arg, plane * oh * ow);
            }
        } else if (kh == 2 && kw == 2) {
            int perSample = c * oh * ow;
            Elementwise.maxPool2x2(xd, windowStart, w, y, arg, s0 * perSample, s1 * perSample);
        } else {
            for (int planeIndex = s0 * c; planeIndex < s1 * c; planeIndex++) {
                scanPlane(xd, planeIndex, y, arg);
            }
        }
        rectify(y, s0, s1);
    }

    /** Samples [s0, s1) of the output as the ReLU would have left them: max(0, y) (NaN stays, −0 is 0). */
    private void rectify(float[] y, int s0, int s1) {
        if (rectifies) {
            int sample = c * oh * ow;
            for (int o = s0 * sample; o < s1 * sample; o++) {
                y[o] = Math.max(y[o], 0f);
            }
        }
    }

    /** One plane of the general case: each window scanned row by row. */
    private void scanPlane(float[] xd, int planeIndex, float[] y, int[] arg) {
        int in0 = planeIndex * h * w;
        int o = planeIndex * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, o++) {
                int r0 = in0 + i * sh * w + j * sw;
                int best = r0;
                float max = xd[r0];
                // As PyTorch's CPU kernel: a larger value or a NaN takes over, scanning row by row.
                for (int ki = 0; ki < kh; ki++) {
                    int r = r0 + ki * w;
                    for (int kj = 0; kj < kw; kj++) {
                        float v = xd[r + kj];
                        if (v > max || v != v) {
                            max = v;
                            best = r + kj;
                        }
                    }
                }
                y[o] = max;
                arg[o] = best;
            }
        }
    }

    /** map[o] = where output o's window starts in the input, for n samples (kept while n stays). */
    private int[] windows(int n) {
        int total = n * c * oh * ow;
        if (windowStart.length != total) {
            windowStart = new int[total];
            int o = 0;
            for (int plane = 0; plane < n * c; plane++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        windowStart[o++] = plane * h * w + i * sh * w + j * sw;
                    }
                }
            }
        }
        return windowStart;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        return needInputGrad ? gradients(gradOutput, false) : null;
    }

    /**
     * The gradient at the input of the ReLU before this layer: this layer's input gradient, kept where this
     * layer's input (the ReLU's output) is above zero — the ReLU's own backward, whose input is above zero
     * exactly where its output is (NaN in neither), so the same bits. Each plane is masked while it is in L1:
     * the ReLU's separate pass read and wrote the whole gradient again (5.5 MB a batch after the CNN's first
     * convolution). For {@link Sequential}, which then skips the ReLU.
     */
    Tensor backwardThroughRelu(Tensor gradOutput) {
        checkGradientShape(output, gradOutput);
        return gradients(gradOutput, true);
    }

    private Tensor gradients(Tensor gradOutput, boolean throughRelu) {
        int n = gradOutput.batch();
        gradInput = inputBuffer(gradInput, n);
        float[] dx = gradInput.data();
        float[] dy = gradOutput.data();
        parallel.forSlices(n, (s0, s1) -> gradientSamples(dy, dx, s0, s1, throughRelu));
        return gradInput;
    }

    /**
     * dx of samples [s0, s1), plane by plane: a plane's windows only reach into that plane, so zeroing it and
     * then adding its gradients finds it in L1; the whole slice zeroed first (1.4 to 5.5 MB for the CNN) was out
     * of L2 again by the time the scatter came back to it. The same additions in the same order.
     */
    private void gradientSamples(float[] dy, float[] dx, int s0, int s1, boolean throughRelu) {
        int[] arg = argmax;
        int planeIn = h * w;
        int planeOut = oh * ow;
        for (int plane = s0 * c; plane < s1 * c; plane++) {
            int from = plane * planeIn;
            java.util.Arrays.fill(dx, from, from + planeIn, 0f);
            for (int o = plane * planeOut; o < (plane + 1) * planeOut; o++) {
                dx[arg[o]] += dy[o];
            }
            if (throughRelu) {
                Elementwise.positiveMask(input, dx, dx, from, from + planeIn);
            }
        }
    }

    /**
     * Samples apart: by halves. A pooling that rectifies for the ReLU before it also back-propagates through
     * that ReLU ({@link #backwardThroughRelu}), which then passes the gradient on.
     */
    @Override
    public boolean runsByHalves() {
        return true;
    }

    @Override
    public Tensor prepareHalves(Tensor x) {
        prepare(x);
        return output;
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        halvesGradOutput = needInputGrad ? gradOutput : null;
        Tensor dx = halvesInputGradient(output, gradOutput, needInputGrad, gradInput);
        gradInput = dx != null ? dx : gradInput;
        return dx;
    }

    @Override
    public void forwardRows(int from, int to, Parallel team) {
        team.forSlices(from, to, forwardSlice);
    }

    @Override
    public void backwardRows(int from, int to, int half, Parallel team) {
        if (halvesGradOutput != null) {
            team.forSlices(from, to, gradientRows);
        }
    }

    /** dx of samples [s0, s1) of a step by halves. */
    private final Parallel.RangeTask gradientRows =
            (s0, s1) -> gradientSamples(halvesGradOutput.data(), gradInput.data(), s0, s1, rectifies);
}
