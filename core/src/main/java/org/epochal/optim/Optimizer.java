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

    /** Elements per chunk of a step split between the threads ({@link #setParallel}). */
    static final int SHARE_GRAIN = 1 << 12;
    private org.epochal.kernel.Parallel parallel = org.epochal.kernel.Parallel.SEQUENTIAL;
    /** The step's chunks, in parameter order: chunk c is elements [chunkFrom[c], chunkTo[c]) of chunkParam[c]. */
    private int[] chunkParam;
    private int[] chunkFrom;
    private int[] chunkTo;
    /** This step's gradient of each parameter, or null where it is computed from an outer product. */
    private float[][] stepGrads;
    private final org.epochal.kernel.Parallel.RangeTask chunkUpdate = this::updateChunks;
    /** Whether steps are split between the threads ({@link #setParallel}). */
    private boolean splitting;

    /**
     * Runs each step on these threads when {@code split}: the parameters, cut into chunks of
     * {@link #SHARE_GRAIN} elements in parameter order, are shared by {@link org.epochal.kernel.Parallel#forShares}
     * (thread t updates the same elements every step, and takes over another's when that one is late). Any
     * split gives the same bits: every element's update is its own.
     */
    public void setParallel(org.epochal.kernel.Parallel parallel, boolean split) {
        this.parallel = parallel;
        splitting = split && parallel.threads() > 1;
        if (!splitting || chunkParam != null) {
            return; // the chunks, once cut, are kept: a trainer may switch thread counts between steps
        }
        int count = 0;
        for (Parameter p : params) {
            count += org.epochal.kernel.Parallel.chunks(p.size(), SHARE_GRAIN);
        }
        chunkParam = new int[count];
        chunkFrom = new int[count];
        chunkTo = new int[count];
        int c = 0;
        for (int i = 0; i < params.size(); i++) {
            for (int from = 0; from < params.get(i).size(); from += SHARE_GRAIN, c++) {
                chunkParam[c] = i;
                chunkFrom[c] = from;
                chunkTo[c] = Math.min(params.get(i).size(), from + SHARE_GRAIN);
            }
        }
        stepGrads = new float[params.size()][];
    }

    /** One update of every parameter from its current gradient. */
    public final void step() {
        steps++;
        beginStep();
        if (splitting) {
            for (int i = 0; i < params.size(); i++) {
                // written out here, on the caller, when this optimizer does not take an outer product as it is
                Parameter param = params.get(i);
                stepGrads[i] = param.hasOuterGrad() && fusesOuterGradients() ? null : param.grad();
            }
            parallel.forShares(chunkParam.length, 1, chunkUpdate);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter param = params.get(i);
            // a gradient held as an outer product is written out here unless this optimizer computes it
            update(i, param, param.hasOuterGrad() && fusesOuterGradients() ? null : param.grad(), 0, param.size());
        }
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
        } else {
            updateOuter(index, param.data(), param.outerLeft(), param.outerRight(), from, to);
        }
    }

    /**
     * Whether {@link #updateOuter} is implemented: this optimizer then takes a gradient held as an outer
     * product ({@link Parameter#deferOuterGrad}) as it is, computing each element in its loop.
     */
    protected boolean fusesOuterGradients() {
        return false;
    }

    /**
     * Updates elements [from, to) of parameter {@code index}, whose gradient is left ⊗ right, each element
     * computed as {@link org.epochal.kernel.Elementwise#outerProducts} writes it (so the same bits as
     * {@link #update} over the written gradient). Called only when {@link #fusesOuterGradients()}.
     */
    protected void updateOuter(int index, float[] p, float[] left, float[] right, int from, int to) {
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
