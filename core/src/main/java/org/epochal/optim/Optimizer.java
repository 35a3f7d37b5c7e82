package org.epochal.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.layer.Parameter;

/**
 * Updates parameters from their gradients. Call order per batch: the model's zeroGrad, forward, loss,
 * backward, optional {@link GradClip}, then {@link #step()}. Each subclass cites the PyTorch formula it
 * matches (torch.optim, single-tensor path) and keeps its state in flat float arrays, one per parameter,
 * which {@link #state()} exposes for checkpoints. Arithmetic is float32 in PyTorch's operation order.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected double lr;
    protected long steps;

    protected Optimizer(List<Parameter> params, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** The experiment-file name: "sgd", "adam", "adamw", "rmsprop". */
    public abstract String type();

    /** How a step is shared between threads ({@link #setParallel}). */
    public enum Split {
        /** Every update on the caller. */
        NONE,
        /**
         * The parameters cut into chunks of {@link #SHARE_GRAIN} elements in parameter order, shared equally by
         * {@link org.epochal.kernel.Parallel#forShares}: thread t updates the same elements every step, and
         * takes over another's when that one is late.
         */
        CHUNKS,
        /**
         * A batch of one: each weight stored in panels ({@link Parameter#storeInPanels}) is updated by the
         * threads that run its panels in the forward pass (panels [t·P/T, (t+1)·P/T) on thread t, as
         * {@code forShares} gives them), so a panel, its moments and the forward's reads of it stay in one
         * core's cache; likewise a weight stored by unit, by its rows ({@link Parameter#shareStartRow}); the
         * other parameters are the caller's share. Only for an optimizer that takes outer
         * products as they are ({@link #fusesOuterGradients}); for others, {@link #NONE}.
         */
        PANELS
    }

    /** Elements per chunk of a split step. */
    static final int SHARE_GRAIN = 1 << 12;
    private org.epochal.kernel.Parallel parallel = org.epochal.kernel.Parallel.SEQUENTIAL;
    /** The step's chunks: chunk c is elements [chunkFrom[c], chunkTo[c]) of parameter chunkParam[c]. */
    private int[] chunkParam;
    private int[] chunkFrom;
    private int[] chunkTo;
    /** Per thread, the end of its share of the chunks. */
    private int[] shareEnds;
    /** What the chunks were cut for: the split and the thread count. */
    private Split cutFor;
    private int cutThreads;
    /** This step's gradient of each parameter, or null where it is computed from an outer product. */
    private float[][] stepGrads;
    private final org.epochal.kernel.Parallel.RangeTask chunkUpdate = this::updateChunks;
    /** Whether steps are split between the threads ({@link #setParallel}). */
    private boolean splitting;
    /**
     * The factor this step's outer-product gradients carry ({@link Parameter#outerScale}: 1, or a clipping
     * coefficient), set before {@link #beginStep}; one that carries another is written out instead.
     */
    protected float outerScale = 1f;

    /**
     * Runs each step on these threads as {@code split} says (with one thread, or nothing to split, on the
     * caller). Any split gives the same bits: every element's update is its own.
     */
    public void setParallel(org.epochal.kernel.Parallel parallel, Split split) {
        this.parallel = parallel;
        int threads = parallel.threads();
        boolean inPanels = false;
        for (Parameter p : params) {
            inPanels |= p.panelWidth() > 0 || p.storedByUnit();
        }
        splitting = threads > 1 && (split == Split.CHUNKS || split == Split.PANELS && inPanels && fusesOuterGradients());
        if (!splitting || (split == cutFor && threads == cutThreads)) {
            return; // the chunks, once cut, are kept: a trainer may switch thread counts between steps
        }
        java.util.List<int[]> chunks = new java.util.ArrayList<>();
        int[] ends = new int[threads];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                if (split == Split.PANELS && p.panelWidth() > 0) {
                    int panels = p.shape()[0] / p.panelWidth();
                    int panelSize = p.size() / panels;
                    cut(chunks, i, panels * t / threads * panelSize, panels * (t + 1) / threads * panelSize);
                } else if (split == Split.PANELS && p.storedByUnit()) { // its rows, as in the forward pass
                    int cols = p.shape()[1];
                    cut(chunks, i, p.shareStartRow(t, threads) * cols, p.shareStartRow(t + 1, threads) * cols);
                } else if (t == 0) {
                    cut(chunks, i, 0, p.size());
                }
            }
            ends[t] = chunks.size();
        }
        if (split == Split.CHUNKS) { // all in parameter order, shared equally
            for (int t = 0; t < threads; t++) {
                ends[t] = (int) ((long) chunks.size() * (t + 1) / threads);
            }
        }
        chunkParam = new int[chunks.size()];
        chunkFrom = new int[chunks.size()];
        chunkTo = new int[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            chunkParam[c] = chunks.get(c)[0];
            chunkFrom[c] = chunks.get(c)[1];
            chunkTo[c] = chunks.get(c)[2];
        }
        shareEnds = ends;
        cutFor = split;
        cutThreads = threads;
        stepGrads = new float[params.size()][];
    }

    /**
     * Adds elements [from, to) of parameter i as chunks of about {@link #SHARE_GRAIN}: whole stored rows of a
     * matrix not in panels (an update by rows keeps state per row: Adam#updateOuter), else exactly that.
     */
    private void cut(java.util.List<int[]> chunks, int i, int from, int to) {
        Parameter p = params.get(i);
        int[] shape = p.shape();
        int grain = SHARE_GRAIN;
        if (shape.length == 2 && p.panelWidth() == 0) {
            int cols = p.storedTransposed() ? shape[0] : shape[1];
            grain = Math.max(1, SHARE_GRAIN / cols) * cols;
        }
        for (int f = from; f < to; f += grain) {
            chunks.add(new int[] {i, f, Math.min(to, f + grain)});
        }
    }

    /** One update of every parameter from its current gradient. */
    public final void step() {
        steps++;
        outerScale = 1f;
        for (Parameter param : params) {
            if (param.hasOuterGrad()) {
                outerScale = param.outerScale(); // clipping scales them all alike
                break;
            }
        }
        beginStep();
        if (splitting) {
            for (int i = 0; i < params.size(); i++) {
                // written out here, on the caller, when this optimizer does not take an outer product as it is
                stepGrads[i] = fused(params.get(i)) ? null : params.get(i).grad();
            }
            parallel.forShares(shareEnds, chunkUpdate);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter param = params.get(i);
            // a gradient held as an outer product is written out here unless this optimizer computes it
            update(i, param, fused(param) ? null : param.grad(), 0, param.size());
        }
    }

    /**
     * Whether a step may come in ranges of elements ({@link #beginStepInRanges}, {@link #updateRange}), on any
     * threads in any split, with the same bits as {@link #step}: every element's update is its own, from its
     * written gradient. True for every optimizer here; one that needs the whole gradient first says no.
     */
    public boolean updatesInRanges() {
        return true;
    }

    /**
     * Begins a step that comes in ranges (a step by halves of the batch updates each chunk of parameters as
     * soon as its gradient is summed): counts it and sets its constants, on the caller, before any range.
     */
    public final void beginStepInRanges() {
        steps++;
        outerScale = 1f;
        beginStep();
    }

    /** Elements [from, to) of parameter {@code index} (written gradient), in a step begun by beginStepInRanges. */
    public final void updateRange(int index, int from, int to) {
        Parameter param = params.get(index);
        update(index, param.data(), param.grad(), from, to);
    }

    /** This optimizer's step in ranges, as a step by halves takes it (made once by the caller, reused). */
    public org.epochal.layer.Sequential.StepInChunks inChunks() {
        return new org.epochal.layer.Sequential.StepInChunks() {
            @Override
            public void begin() {
                beginStepInRanges();
            }

            @Override
            public void update(int param, int from, int to) {
                updateRange(param, from, to);
            }
        };
    }

    /** Whether this step updates the parameter from its outer-product gradient as it is held. */
    private boolean fused(Parameter param) {
        return param.hasOuterGrad() && fusesOuterGradients() && param.outerScale() == outerScale;
    }

    /** Chunks [from, to) of a split step. */
    private void updateChunks(int from, int to) {
        for (int c = from; c < to; c++) {
            int i = chunkParam[c];
            update(i, params.get(i), stepGrads[i], chunkFrom[c], chunkTo[c]);
        }
    }

    /** Elements [from, to) of a parameter from {@code grad}, or, when that is null, from its outer product. */
    private void update(int index, Parameter param, float[] grad, int from, int to) {
        if (grad != null) {
            update(index, param.data(), grad, from, to);
        } else if (param.panelWidth() > 0) {
            updateOuterPanels(index, param.data(), param.outerLeft(), param.outerRight(), param.panelWidth(), from, to);
        } else {
            updateOuter(index, param.data(), param.outerLeft(), param.outerRight(), from, to);
        }
    }

    /**
     * Whether {@link #updateOuter} is implemented: this optimizer then takes a gradient held as an outer
     * product ({@link Parameter#deferOuterGrad}) as it is, computing each element in its loop.
     */
    public boolean fusesOuterGradients() {
        return false;
    }

    /**
     * Updates elements [from, to) of parameter {@code index}, whose gradient is left ⊗ right times
     * {@link #outerScale}, each element computed as {@link Parameter#grad()} writes it (so the same bits as
     * {@link #update} over the written gradient). Called only when {@link #fusesOuterGradients()}.
     */
    protected void updateOuter(int index, float[] p, float[] left, float[] right, int from, int to) {
        throw new UnsupportedOperationException(type() + " takes written gradients");
    }

    /**
     * {@link #updateOuter} of a matrix stored in panels of {@code width} columns ({@link Parameter#storeInPanels}):
     * element (r, c) of panel p at (p·rows + r)·width + c − p·width.
     */
    protected void updateOuterPanels(int index, float[] p, float[] left, float[] right, int width, int from, int to) {
        throw new UnsupportedOperationException(type() + " takes written gradients");
    }

    /** Called once per step, on the caller's thread, after {@link #steps} counts it and before any update. */
    protected void beginStep() {
    }

    /** Updates elements [from, to) of parameter {@code index} in place; {@link #steps} already counts this step. */
    protected abstract void update(int index, float[] param, float[] grad, int from, int to);

    public double lr() {
        return lr;
    }

    /** Sets the learning rate (schedules call this between steps). */
    public void setLr(double lr) {
        this.lr = lr;
    }

    /** Steps taken so far (PyTorch's per-parameter "step"). */
    public long steps() {
        return steps;
    }

    public void setSteps(long steps) {
        this.steps = steps;
    }

    /** Live state arrays by name ("exp_avg.0", ...), for checkpoints to save and restore in place. */
    public Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        addState(state);
        return state;
    }

    protected abstract void addState(Map<String, float[]> state);

    /** The parameter a {@link #state()} array belongs to (and shares its layout with). */
    public Parameter stateOwner(String key) {
        return params.get(Integer.parseInt(key.substring(key.lastIndexOf('.') + 1)));
    }

    protected float[][] zerosLikeParams() {
        float[][] arrays = new float[params.size()][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new float[params.get(i).size()];
        }
        return arrays;
    }

    protected static void put(Map<String, float[]> state, String name, float[][] arrays) {
        if (arrays == null) {
            return;
        }
        for (int i = 0; i < arrays.length; i++) {
            state.put(name + "." + i, arrays[i]);
        }
    }

    protected static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
