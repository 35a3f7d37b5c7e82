package org.epochal.layer;

import org.epochal.tensor.Tensor;

/**
 * Window geometry shared by max and average pooling: kernel kh×kw, stride sh×sw, no padding, floor mode
 * (PyTorch's defaults; stride defaults to the kernel). Work is split by (sample, channel) plane.
 */
abstract class Pool2d extends Layer {
    // c = channels, h, w = input height, width, oh, ow = output height, width
    protected final int kh, kw, sh, sw;
    protected int c, h, w, oh, ow;
    protected Tensor output;
    protected Tensor gradInput;

    Pool2d(String type, int kh, int kw, int sh, int sw) {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1) {
            throw new IllegalArgumentException(type + ": kernel and stride must be positive, got kernel=" + kh
                    + "x" + kw + " stride=" + sh + "x" + sw);
        }
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
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
        if (h < kh || w < kw) {
            throw new IllegalArgumentException("kernel " + kh + "x" + kw + " is larger than the input " + h + "x" + w);
        }
        oh = (h - kh) / sh + 1;
        ow = (w - kw) / sw + 1;
        return new int[] {c, oh, ow};
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
