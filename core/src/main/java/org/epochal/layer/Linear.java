package org.epochal.layer;

import java.util.List;
import org.epochal.init.Init;
import org.epochal.kernel.Dots;
import org.epochal.kernel.Elementwise;
import org.epochal.kernel.Gemm;
import org.epochal.rng.Rng;
import org.epochal.tensor.Tensor;

/**
 * y = x·Wᵀ + b, W of shape [out, in] (PyTorch's), for inputs [batch, in]. W is stored transposed, [in, out]
 * ({@link Parameter#transposed}), so each product reads it along its rows: at batch 1 the forward pass,
 * x·Wᵀ with W as PyTorch stores it, had to transpose all of W to keep every output one chain in input order
 * (784×256: 58 µs; 15 µs from [in, out]). Batches of 64 and 512 measured the same either way. At batch 1
 * the trainer may store W in panels ({@link #storeWeightInPanels}) or by unit, [out, in]
 * ({@link #storeWeightByUnit}), the products following the layout.
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
    /** A step by halves' dLoss/dOutput and whether it computes dLoss/dInput ({@link #prepareHalvesBackward}). */
    private Tensor halvesGradOutput;
    private boolean halvesInputGrad;
    /** The sample and output of a forward product split by panels, for {@link #rowPanels} (made once). */
    private float[] rowInput;
    private float[] rowOutput;
    private final org.epochal.kernel.Parallel.RangeTask rowPanels = this::rowPanels;
    private final org.epochal.kernel.Parallel.RangeTask rowBlocks = this::rowBlocks;
    /** Per thread, the end of its blocks of rows of the weight by unit ({@link #rowBlocks}). */
    private int[] rowShareEnds;

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
        if (!weight.storedTransposed()) {
            forwardByUnit(n, x.data(), y);
            return output;
        }
        int w = panelWidth();
        if (n == 1 && w < out && parallel.threads() > 1) {
            // one sample, the weight in panels: each thread its own panels (Optimizer.Split#PANELS)
            rowInput = x.data();
            rowOutput = y;
            parallel.forShares(out / w, 1, rowPanels);
            rowInput = null;
            rowOutput = null;
            return output;
        }
        for (int p = 0; p < out / w; p++) { // a panel at a time, or all at once
            Gemm.gemm(parallel, false, false, n, w, in, x.data(), 0, in, weight.data(), p * in * w, w, hasBias, y,
                    p * w, out);
        }
        return output;
    }

    /**
     * Stores the weight in panels of {@code width} outputs (Parameter#storeInPanels) when it is large and
     * its outputs are whole panels; true if it did. Each product then runs panel by panel, every output
     * the same chain, so the same bits; a batch of one's forward pass runs its panels on the threads that
     * update them (the trainer's choice at batch 1, with Optimizer.Split#PANELS).
     */
    public boolean storeWeightInPanels(int width, long minSize) {
        if (out % width != 0 || out / width < 2 || (long) in * out < minSize || weight.panelWidth() != 0) {
            return false;
        }
        weight.storeInPanels(width);
        return true;
    }

    /**
     * Stores the weight by unit, [out, in] as PyTorch holds it (Parameter#storeInShapeOrder), when it has at
     * least {@code minSize} elements; true if it did. For a batch of one with Adam: a unit whose output a ReLU
     * keeps off gets a zero gradient row, and once its first moments are zero Adam skips its row
     * (AdamUpdate#adamOuterRows). The forward pass is then dot products along the rows (Dots' order), the
     * weight gradient dy ⊗ x, the input gradient dy·W.
     */
    public boolean storeWeightByUnit(long minSize) {
        if ((long) in * out < minSize || !weight.storedTransposed() || weight.panelWidth() != 0) {
            return false;
        }
        weight.storeInShapeOrder();
        return true;
    }

    /** Outputs per panel of the stored weight: all of them when it is stored row by row. */
    private int panelWidth() {
        return weight.panelWidth() > 0 ? weight.panelWidth() : out;
    }

    /** y (+)= x·Wᵀ with the weight stored by unit, [out, in] ({@link #storeWeightByUnit}). */
    private void forwardByUnit(int n, float[] x, float[] y) {
        if (n != 1) {
            Gemm.gemm(parallel, false, true, n, out, in, x, 0, in, weight.data(), 0, in, hasBias, y, 0, out);
        } else if (parallel.threads() == 1) {
            Dots.rows(1, out, in, x, 0, in, weight.data(), 0, in, hasBias, y, 0, out); // dot products along the rows
        } else {
            // each thread its own rows, those it updates (Parameter#shareStartRow, Optimizer.Split#PANELS)
            rowInput = x;
            rowOutput = y;
            parallel.forShares(rowShareEnds(parallel.threads()), rowBlocks);
            rowInput = null;
            rowOutput = null;
        }
    }

    /** Per thread, the end of its blocks of rows ({@link #rowBlocks}), made once per thread count. */
    private int[] rowShareEnds(int threads) {
        if (rowShareEnds == null || rowShareEnds.length != threads) {
            rowShareEnds = new int[threads];
            for (int t = 0; t < threads; t++) {
                rowShareEnds[t] = weight.shareStartRow(t + 1, threads) / Parameter.ROW_BLOCK;
            }
        }
        return rowShareEnds;
    }

    /** Blocks [from, to) of {@link Parameter#ROW_BLOCK} rows of one sample's forward product by unit. */
    private void rowBlocks(int from, int to) {
        int r0 = from * Parameter.ROW_BLOCK;
        int r1 = Math.min(out, to * Parameter.ROW_BLOCK);
        Dots.rows(1, r1 - r0, in, rowInput, 0, in, weight.data(), r0 * in, in, hasBias, rowOutput, r0, out);
    }

    /** Panels [from, to) of one sample's forward product, on whichever thread runs them. */
    private void rowPanels(int from, int to) {
        int w = weight.panelWidth();
        for (int p = from; p < to; p++) {
            Gemm.gemm(org.epochal.kernel.Parallel.SEQUENTIAL, false, false, 1, w, in, rowInput, 0, in, weight.data(),
                    p * in * w, w, hasBias, rowOutput, p * w, out);
        }
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        checkGradientShape(output, gradOutput);
        int n = gradOutput.batch();
        float[] dy = gradOutput.data();
        if (!weight.storedTransposed()) {
            return backwardByUnit(n, dy, needInputGrad);
        }
        // dWt[in, out] += xᵀ[in, n]·dy[n, out]  (= when dW is zero; for one sample, held as x ⊗ dy until read)
        if (n != 1 || !weight.deferOuterGrad(input.data(), 0, dy, 0)) {
            boolean add = !weight.overwritesGrad();
            int w = panelWidth();
            for (int p = 0; p < out / w; p++) {
                Gemm.gemm(parallel, true, false, in, w, n, input.data(), 0, in, dy, p * w, out, add, weight.grad(),
                        p * in * w, w);
            }
        }
        addBiasGrad(n, dy);
        if (!needInputGrad) {
            return null;
        }
        // dx[n, in] = dy[n, out]·Wtᵀ[out, in]
        gradInput = inputBuffer(gradInput, n);
        int w = panelWidth();
        if (n == 1) {
            // one sample: dot products along Wt's rows, in Dots' order, the same bits in panels or not
            // (Gemm transposes Wt to keep its chains: 256×128 in 9 µs against 3)
            if (w == out) {
                Dots.rows(1, in, out, dy, 0, out, weight.data(), 0, out, false, gradInput.data(), 0, in);
            } else {
                Dots.rowInPanels(in, out, w, dy, 0, weight.data(), 0, false, gradInput.data(), 0);
            }
            return gradInput;
        }
        // with the weight in panels, a product per panel, each continuing the sums the last one stored
        for (int p = 0; p < out / w; p++) {
            Gemm.gemm(parallel, false, true, n, in, w, dy, p * w, out, weight.data(), p * in * w, w, p > 0,
                    gradInput.data(), 0, in);
        }
        return gradInput;
    }

    /** {@link #backward} with the weight stored by unit, [out, in] ({@link #storeWeightByUnit}). */
    private Tensor backwardByUnit(int n, float[] dy, boolean needInputGrad) {
        // dW[out, in] += dyᵀ[out, n]·x[n, in]  (for one sample, held as dy ⊗ x until read)
        if (n != 1 || !weight.deferOuterGrad(dy, 0, input.data(), 0)) {
            Gemm.gemm(parallel, true, false, out, in, n, dy, 0, out, input.data(), 0, in, !weight.overwritesGrad(),
                    weight.grad(), 0, in);
        }
        addBiasGrad(n, dy);
        if (!needInputGrad) {
            return null;
        }
        // dx[n, in] = dy[n, out]·W[out, in]
        gradInput = inputBuffer(gradInput, n);
        Gemm.gemm(parallel, false, false, n, in, out, dy, 0, out, weight.data(), 0, in, false, gradInput.data(), 0, in);
        return gradInput;
    }

    /** By halves when the weight is stored [in, out] row by row (every batch but a batch of one's choices). */
    @Override
    public boolean runsByHalves() {
        return weight.storedTransposed() && weight.panelWidth() == 0;
    }

    @Override
    public Tensor prepareHalves(Tensor x) {
        checkInput(x);
        input = x;
        output = outputBuffer(output, x.batch());
        return output;
    }

    @Override
    public Tensor prepareHalvesBackward(Tensor gradOutput, boolean needInputGrad) {
        halvesGradOutput = gradOutput;
        halvesInputGrad = needInputGrad;
        Tensor dx = halvesInputGradient(output, gradOutput, needInputGrad, gradInput);
        gradInput = dx != null ? dx : gradInput;
        return dx;
    }

    /** y[from, to) = b + x[from, to)·Wt, as {@link #forward} computes each row. */
    @Override
    public void forwardRows(int from, int to, org.epochal.kernel.Parallel team) {
        float[] y = output.data();
        if (hasBias) {
            float[] b = bias.data();
            for (int r = from; r < to; r++) {
                System.arraycopy(b, 0, y, r * out, out);
            }
        }
        Gemm.gemm(team, false, false, to - from, out, in, input.data(), from * in,
                in, weight.data(), 0, out, hasBias, y, from * out, out);
    }

    /** This half's dWt = x[from, to)ᵀ·dy[from, to) and db = Σ dy[from, to), stored; dx[from, to) = dy·Wtᵀ. */
    @Override
    public void backwardRows(int from, int to, int half, org.epochal.kernel.Parallel team) {
        float[] dy = halvesGradOutput.data();
        Gemm.gemm(team, true, false, in, out, to - from, input.data(), from * in, in, dy, from * out, out, false,
                weight.halfGrad(half), 0, out);
        if (hasBias) {
            float[] db = bias.halfGrad(half);
            java.util.Arrays.fill(db, 0f);
            Elementwise.addRows(dy, from * out, to - from, out, db);
        }
        if (halvesInputGrad) {
            Gemm.gemm(team, false, true, to - from, in, out, dy, from * out, out, weight.data(), 0, out, false,
                    gradInput.data(), from * in, in);
        }
    }

    /** db[o] += Σ_r dy[r, o], rows in order. */
    private void addBiasGrad(int n, float[] dy) {
        if (hasBias) {
            Elementwise.addRows(dy, n, out, bias.grad());
        }
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
