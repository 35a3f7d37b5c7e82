package org.epochal.layer;

import java.util.Arrays;
import org.epochal.kernel.Elementwise;
import org.epochal.tensor.Shapes;
import org.epochal.tensor.Tensor;

/**
 * A trainable tensor and its gradient, both flat float arrays of the same length. Layers accumulate into
 * {@code grad} in backward; optimizers read it and update {@code value}; nothing else writes either.
 *
 * <p>{@link #zeroGrad()} only marks the gradient as zero: the first reader fills it, and a layer that writes
 * its whole gradient in one pass ({@link #overwritesGrad()}) skips both the fill and the read of the zeros
 * (a Linear layer's weight gradient at batch 1 is written once per step: zeroing it first doubled the stores).
 *
 * <p>A batch of one gives a matrix the gradient left ⊗ right (a Linear layer's: its input times the gradient
 * of its output). A layer may hand over the two vectors instead ({@link #deferOuterGrad}); the gradient is
 * then written out only when something reads it: Adam computes each element in its loop, the gradient norm
 * is taken from the two vectors (at batch 1 on the Fashion-MNIST MLP, writing W1's gradient and reading it
 * back twice moved 2.4 MB a step). Every element is the product the GEMM would have stored, fma(l, r, 0).
 *
 * <p>A matrix may be stored transposed ({@link #transposed}): its {@link #shape()} is still PyTorch's
 * [rows, cols], but {@code data} and {@code grad} hold it as [cols, rows], and so does every optimizer state
 * array (they are updated element by element, so the layout is theirs to share). Whatever reads or writes
 * values in PyTorch's order (weights files, checkpoints, golden tests, the pre-flight's row checks) goes
 * through {@link #inShapeOrder} and {@link #storeShapeOrder}.
 *
 * <p>A transposed matrix may further be stored in panels ({@link #storeInPanels}): its stored [cols, rows]
 * cut into panels of {@code width} columns, each panel's rows one after another, panel after panel. At
 * batch 1 on two threads, each thread then owns whole panels (the forward product's columns, their update,
 * their optimizer state) as one contiguous range of memory. With each thread's columns inside every row
 * instead, the two cores wrote the same cache lines at each row's middle and ends (Java does not say where
 * an array's cache lines begin): W1's Adam step took 150–650 µs on two threads against 97–108 on one; in
 * panels, 56–62 (the Fashion-MNIST MLP, the medians of training steps).
 *
 * <p>Or a transposed matrix may be stored in its shape's order after all ({@link #storeInShapeOrder}: a Linear
 * layer's weight by unit at batch 1, so that a unit's row of weights and moments is one range Adam can skip).
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private boolean transposed;
    /** Stored in shape order by {@link #storeInShapeOrder}. */
    private boolean byUnit;
    /** Columns per panel of the stored matrix ({@link #storeInPanels}); 0: stored row by row. */
    private int panelWidth;
    private Tensor value;
    private final float[] grad;
    /** zeroGrad was called and nothing has filled or written the gradient since. */
    private boolean zeroPending;
    /** The second half's gradient sums in a step by halves ({@link #beginHalves}); made at the first. */
    private float[] secondHalf;
    /** The gradient is outerLeft ⊗ outerRight (stored layout), not yet written to {@link #grad}. */
    private boolean outerPending;
    private float[] outerLeft;
    private float[] outerRight;
    /** What the deferred outer product is multiplied by ({@link #scaleGrad}): each element is fma(l, r, 0)·s. */
    private float outerScale = 1f;

    public Parameter(String name, int... shape) {
        this(name, false, shape);
    }

    private Parameter(String name, boolean transposed, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        this.transposed = transposed;
        this.value = new Tensor(transposed ? new int[] {shape[1], shape[0]} : shape);
        this.grad = new float[Shapes.size(shape)];
    }

    /** A [rows, cols] matrix stored as its transpose, [cols, rows]. */
    public static Parameter transposed(String name, int rows, int cols) {
        return new Parameter(name, true, rows, cols);
    }

    /** Whether {@link #data()} holds the transpose of {@link #shape()} (see the class comment). */
    public boolean storedTransposed() {
        return transposed;
    }

    /**
     * Stores this transposed matrix in panels of {@code width} stored columns (see the class comment), its
     * values and gradient moved in place; the stored columns must be a whole number of panels. Before any
     * optimizer state holds values (its arrays share the layout). Every element keeps its value, so layers
     * that read the layout ({@link #panelWidth}) compute the same bits as before.
     */
    public void storeInPanels(int width) {
        int cols = shape[0];
        if (!transposed || width < 1 || cols % width != 0 || panelWidth != 0) {
            throw new IllegalStateException(name + ": panels of " + width + " need a transposed matrix whose "
                    + cols + " stored columns are whole panels, stored row by row");
        }
        float[] plain = inShapeOrder(data());
        float[] plainGrad = inShapeOrder(grad);
        panelWidth = width;
        storeShapeOrder(plain, data());
        storeShapeOrder(plainGrad, grad);
    }

    /**
     * Stores this transposed matrix in {@link #shape()}'s own order after all, [rows, cols] (a Linear layer's
     * weight by unit, each output's weights one contiguous row, as PyTorch holds it), its values and gradient
     * moved in place. Before any optimizer state holds values, as {@link #storeInPanels}.
     */
    public void storeInShapeOrder() {
        if (!transposed || panelWidth != 0) {
            throw new IllegalStateException(name + ": only a transposed matrix stored row by row can be stored in shape order");
        }
        float[] plain = inShapeOrder(data());
        float[] plainGrad = inShapeOrder(grad);
        transposed = false;
        byUnit = true;
        value = new Tensor(value.data(), shape);
        System.arraycopy(plain, 0, data(), 0, plain.length);
        System.arraycopy(plainGrad, 0, grad, 0, plainGrad.length);
    }

    /** Whether this matrix was stored in shape order by {@link #storeInShapeOrder} (a Linear weight by unit). */
    public boolean storedByUnit() {
        return byUnit;
    }

    /** Rows per block of {@link #shareStartRow}: a block's rows are one thread's. */
    public static final int ROW_BLOCK = 8;

    /**
     * The first stored row of thread t's share of a matrix {@link #storedByUnit} (t = threads: the rows), in
     * whole blocks of {@link #ROW_BLOCK} rows: the rows a thread runs in a batch of one's forward pass and
     * updates in the optimizer's step (Optimizer.Split#PANELS), so that they stay in its core's caches.
     */
    public int shareStartRow(int t, int threads) {
        int rows = shape[0];
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        return Math.min(rows, (int) ((long) blocks * t / threads) * ROW_BLOCK);
    }

    /** Columns per panel of the stored matrix, or 0 when it is stored row by row ({@link #storeInPanels}). */
    public int panelWidth() {
        return panelWidth;
    }

    /**
     * An array of this parameter's layout (its data, gradient or an optimizer state) in the order of
     * {@link #shape()}: the array itself when it is stored that way, else a transposed copy.
     */
    public float[] inShapeOrder(float[] stored) {
        if (!transposed) {
            return stored;
        }
        float[] values = new float[stored.length];
        if (panelWidth > 0) {
            int rows = shape[1];
            for (int c = 0; c < shape[0]; c++) {
                for (int r = 0; r < rows; r++) {
                    values[c * rows + r] = stored[panelIndex(r, c)];
                }
            }
            return values;
        }
        transpose(stored, shape[1], shape[0], values);
        return values;
    }

    /** {@link #inShapeOrder}, always a new array (for a checkpoint to keep). */
    public float[] copyInShapeOrder(float[] stored) {
        return transposed ? inShapeOrder(stored) : stored.clone();
    }

    /** Writes {@code values}, in the order of {@link #shape()}, into {@code stored}, an array of this layout. */
    public void storeShapeOrder(float[] values, float[] stored) {
        if (panelWidth > 0) {
            int rows = shape[1];
            for (int c = 0; c < shape[0]; c++) {
                for (int r = 0; r < rows; r++) {
                    stored[panelIndex(r, c)] = values[c * rows + r];
                }
            }
        } else if (transposed) {
            transpose(values, shape[0], shape[1], stored);
        } else {
            System.arraycopy(values, 0, stored, 0, stored.length);
        }
    }

    /** Where stored element (r, c) of a matrix in panels sits. */
    private int panelIndex(int r, int c) {
        int panel = c / panelWidth;
        return (panel * shape[1] + r) * panelWidth + c - panel * panelWidth;
    }

    /** to[c, r] = from[r, c] for from of rows × cols. */
    private static void transpose(float[] from, int rows, int cols, float[] to) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                to[c * rows + r] = from[r * cols + c];
            }
        }
    }

    /** "weight" or "bias" within its layer; the model prefixes the layer's index ("3.weight"). */
    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public float[] data() {
        return value.data();
    }

    /** The gradient, zeros if {@link #zeroGrad()} was the last thing done to it. */
    public float[] grad() {
        if (zeroPending) {
            Arrays.fill(grad, 0f);
            zeroPending = false;
        }
        if (outerPending) {
            if (panelWidth > 0) {
                for (int r = 0; r < outerLeft.length; r++) {
                    for (int c = 0; c < outerRight.length; c++) {
                        grad[panelIndex(r, c)] = Math.fma(outerLeft[r], outerRight[c], 0f);
                    }
                }
                multiply(grad, 0, grad.length, outerScale);
            } else {
                writeOuterGrad(grad, 0, grad.length);
            }
            outerPending = false;
            outerScale = 1f;
        }
        return grad;
    }

    /**
     * Elements [from, to) of the outer-product gradient held ({@link #hasOuterGrad}, not in panels), stored
     * order, into dst[from, to): fma(l, r, 0)·{@link #outerScale}, as {@link #grad()} writes them.
     */
    public void writeOuterGrad(float[] dst, int from, int to) {
        Elementwise.outerProducts(outerLeft, outerRight, from, to, dst, from);
        multiply(dst, from, to, outerScale);
    }

    /** g[from, to) ·= s (nothing for s = 1: x·1 is x). */
    private static void multiply(float[] g, int from, int to, float s) {
        if (s != 1f) {
            for (int i = from; i < to; i++) {
                g[i] *= s;
            }
        }
    }

    /**
     * Multiplies every element of the gradient by s, as torch.nn.utils.clip_grad_norm_ does ({@code g.mul_(s)}).
     * A gradient held as an outer product stays so: s is recorded ({@link #outerScale}) and applied where each
     * element is computed, fma(l, r, 0)·s, the same two roundings as writing the product out and then
     * scaling it. Multiplying by 1 changes no float, so s = 1 does nothing.
     */
    public void scaleGrad(float s) {
        if (s == 1f) {
            return;
        }
        if (outerPending && outerScale == 1f) {
            outerScale = s;
            return;
        }
        multiply(grad(), 0, grad.length, s);
    }

    /** The factor a deferred outer-product gradient carries ({@link #scaleGrad}); 1 when none. */
    public float outerScale() {
        return outerScale;
    }

    /**
     * Starts a step by halves of the batch (Sequential#trainByHalves) over a gradient {@link #zeroGrad} just
     * made zero: each half stores its samples' sums, the first into the gradient, the second into a buffer of
     * its own ({@link #halfGrad}), and {@link #addHalves} adds them.
     */
    public void beginHalves() {
        if (!zeroPending) {
            throw new IllegalStateException(name + ": a step by halves starts from a zeroed gradient");
        }
        zeroPending = false;
        if (secondHalf == null) {
            secondHalf = new float[grad.length];
        }
    }

    /** Where half 0 or 1 of a step by halves stores its gradient sums ({@link #beginHalves}). */
    public float[] halfGrad(int half) {
        return half == 0 ? grad : secondHalf;
    }

    /** Elements [from, to) of the gradient: the first half's sums plus the second's. */
    public void addHalves(int from, int to) {
        float[] g = grad;
        float[] second = secondHalf;
        for (int i = from; i < to; i++) {
            g[i] += second[i];
        }
    }

    /** Makes the gradient zero (at the latest when it is next read or written). */
    public void zeroGrad() {
        zeroPending = true;
        outerPending = false;
        outerScale = 1f;
    }

    /**
     * Makes the gradient left[0, rows) ⊗ right[0, cols) of the stored layout, [rows, cols], element (r, c)
     * being {@code fma(left[r], right[c], 0)} as a GEMM of depth one stores it; the vectors are copied. Only
     * over a zero gradient: returns false, changing nothing, when the gradient holds a value (the caller then
     * adds its product itself).
     */
    public boolean deferOuterGrad(float[] left, int leftOff, float[] right, int rightOff) {
        if (!zeroPending || shape.length != 2) {
            return false;
        }
        int rows = transposed ? shape[1] : shape[0];
        int cols = grad.length / rows;
        if (outerLeft == null) {
            outerLeft = new float[rows];
            outerRight = new float[cols];
        }
        System.arraycopy(left, leftOff, outerLeft, 0, rows);
        System.arraycopy(right, rightOff, outerRight, 0, cols);
        zeroPending = false;
        outerPending = true;
        outerScale = 1f;
        return true;
    }

    /**
     * Whether the gradient is held as {@link #outerLeft()} ⊗ {@link #outerRight()} (see the class comment),
     * times {@link #outerScale()}.
     */
    public boolean hasOuterGrad() {
        return outerPending;
    }

    /** Whether the gradient is held as {@link #outerLeft()} ⊗ {@link #outerRight()} alone (no clipping factor). */
    public boolean hasUnscaledOuterGrad() {
        return outerPending && outerScale == 1f;
    }

    /** The left vector of a deferred outer-product gradient: one element per stored row. */
    public float[] outerLeft() {
        return outerLeft;
    }

    /** The right vector of a deferred outer-product gradient: one element per stored column. */
    public float[] outerRight() {
        return outerRight;
    }

    /**
     * For a layer about to write every element of {@link #grad()}: true when it is zero, so the layer may
     * store its sum instead of adding it (the same bits: a sum added to +0 is itself, and a chain started
     * from +0 is the chain). The caller must then write every element.
     */
    public boolean overwritesGrad() {
        if (outerPending) {
            grad();
            return false;
        }
        boolean zero = zeroPending;
        zeroPending = false;
        return zero;
    }

    public int size() {
        return grad.length;
    }

    /** PyTorch's shape (for a {@link #transposed} matrix, not the stored one). */
    public int[] shape() {
        return shape.clone();
    }
}
