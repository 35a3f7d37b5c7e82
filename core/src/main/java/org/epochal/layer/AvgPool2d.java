package org.epochal.layer;

import org.epochal.tensor.Tensor;

/** Mean over each window: y = (Σ window) / (kh·kw); backward spreads dy/(kh·kw) over the window. */
public final class AvgPool2d extends Pool2d {
    public AvgPool2d(int kernel, int stride) {
        super("avgpool2d", kernel, kernel, stride, stride);
    }

    @Override
    public String type() {
        return "avgpool2d";
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        output = outputBuffer(output, n);
        float[] xd = x.data();
        float[] y = output.data();
        float divisor = kh * kw;
        parallel.forSlices(n, (s0, s1) -> {
            for (int planeIndex = s0 * c; planeIndex < s1 * c; planeIndex++) {
                averagePlane(xd, planeIndex, y, divisor);
            }
        });
        return output;
    }

    private void averagePlane(float[] xd, int planeIndex, float[] y, float divisor) {
        int in0 = planeIndex * h * w;
        int o = planeIndex * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, o++) {
                float sum = 0f;
                for (int ki = 0; ki < kh; ki++) {
                    int r = in0 + (i * sh + ki) * w + j * sw;
                    for (int kj = 0; kj < kw; kj++) {
                        sum += xd[r + kj];
                    }
                }
                y[o] = sum / divisor;
            }
        }
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        int n = gradOutput.batch();
        gradInput = inputBuffer(gradInput, n);
        float[] dx = gradInput.data();
        float[] dy = gradOutput.data();
        float divisor = kh * kw;
        parallel.forSlices(n, (s0, s1) -> {
            java.util.Arrays.fill(dx, s0 * c * h * w, s1 * c * h * w, 0f);
            for (int planeIndex = s0 * c; planeIndex < s1 * c; planeIndex++) {
                spreadPlane(dy, planeIndex, dx, divisor);
            }
        });
        return gradInput;
    }

    private void spreadPlane(float[] dy, int planeIndex, float[] dx, float divisor) {
        int in0 = planeIndex * h * w;
        int o = planeIndex * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, o++) {
                float g = dy[o] / divisor;
                for (int ki = 0; ki < kh; ki++) {
                    int r = in0 + (i * sh + ki) * w + j * sw;
                    for (int kj = 0; kj < kw; kj++) {
                        dx[r + kj] += g;
                    }
                }
            }
        }
    }
}
