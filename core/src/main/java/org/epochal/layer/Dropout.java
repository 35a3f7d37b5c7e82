package org.epochal.layer;

import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * Inverted dropout, as PyTorch: in training each element is zeroed with probability p and the survivors
 * scaled by 1/(1−p); in eval the layer passes its input through. The mask comes from the layer's own
 * generator, which the model seeds and a checkpoint saves.
 */
public final class Dropout extends Layer {
    private final float p;
    private Rng rng = new Rng(0);
    /** The last output: the input itself in eval, else {@link #buffer}. */
    private Tensor output;
    /**
     * The training output's own buffer, never the input's: eval's output is the input, and when it was
     * kept as the buffer, a later batch of another size resized it onto the previous layer's array, and the
     * masked output overwrote that layer's (a tanh then took its derivative from masked values).
     */
    private Tensor buffer;
    private Tensor gradInput;
    private float[] mask = new float[0];
    private boolean maskUsed;

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        }
        this.p = (float) p;
    }

    @Override
    public String type() {
        return "dropout";
    }

    public float p() {
        return p;
    }

    /** The generator the masks are drawn from (its state goes into checkpoints). */
    public Rng rng() {
        return rng;
    }

    public void setRng(Rng rng) {
        this.rng = rng;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        maskUsed = training && p > 0f;
        if (!maskUsed) {
            output = x;
            return x;
        }
        int size = x.size();
        buffer = outputBuffer(buffer, x.batch());
        output = buffer;
        if (mask.length < size) {
            mask = new float[size];
        }
        float scale = p >= 1f ? 0f : 1f / (1f - p);
        float[] xd = x.data();
        float[] y = output.data();
        for (int i = 0; i < size; i++) {
            mask[i] = rng.nextFloat() < p ? 0f : scale;
            y[i] = xd[i] * mask[i];
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        if (!needInputGrad) {
            return null;
        }
        if (!maskUsed) {
            return gradOutput;
        }
        gradInput = inputBuffer(gradInput, gradOutput.batch());
        float[] dy = gradOutput.data();
        float[] dx = gradInput.data();
        for (int i = 0, size = gradOutput.size(); i < size; i++) {
            dx[i] = dy[i] * mask[i];
        }
        return gradInput;
    }

    @Override
    public Tensor lastOutput() {
        return output;
    }
}
