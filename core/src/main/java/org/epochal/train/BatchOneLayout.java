package org.epochal.train;

import org.epochal.kernel.Gemm;
import org.epochal.layer.Activation;
import org.epochal.layer.Layer;
import org.epochal.layer.Linear;
import org.epochal.layer.Sequential;

/** How a batch of one with Adam stores its large Linear weights (the trainer's choice, on any thread count). */
final class BatchOneLayout {
    private BatchOneLayout() {
    }

    /**
     * At batch 1 with Adam, a Linear weight of at least this many elements is stored otherwise, whatever the
     * thread count, so that the layout, and the order of the sums over its arrays, never depends on it:
     * <ul>
     * <li>on the model's input (no activation before it), by unit (Linear#storeWeightByUnit): a unit the next
     * ReLU keeps off has a zero gradient row, and once its first moments have decayed to zero Adam skips the
     * row (AdamUpdate#adamOuterRows). The Fashion-MNIST MLP's 784×256 first layer: at batch 1 about 9 units
     * in 10 are off each sample, and half or more of the rows are skipped by epoch 3. One thread, epochs of
     * 20,000 samples (2026-12-03): the update's median 93-111 → 55-73 µs, epoch 3 8,096-8,557 → 11,401
     * samples/s. Its forward pass (dot products along the rows) takes 14 µs against 11 in panels. On two
     * threads each runs and updates its own rows (Parameter#shareStartRow, Optimizer.Split#PANELS): epoch 3
     * on two threads, six runs each, 20,000 samples 10,062-15,540 samples/s (mean 12,282) against
     * 10,335-12,592 (11,288) with the forward pass and the update on the caller; 3,000 samples 7,238-10,088
     * (8,723) against 7,755-9,334 (8,505). Waiting up to 20 µs for a late owner before taking its rows (so
     * that they do not cross between the dies) was slower: 10,367-11,320 (10,820) and 6,573-9,071 (7,832).</li>
     * <li>after an activation, in panels (Parameter#storeInPanels), each thread running and updating whole
     * panels (Optimizer.Split#PANELS). The MLP's first layer was, before (epoch 3 of 20,000 samples on two
     * threads against one, 2026-12-03: 10,747, 7,305, 10,008, 7,218 and 7,561 samples/s against 7,189, 6,715,
     * 6,433, 7,101 and 6,513). Its 256×128 second layer is too small; stored [in, out], its rows are its
     * inputs, and Adam skips those the first layer's ReLU keeps off.</li>
     * </ul>
     */
    static final long PANELS_MIN_SIZE = 1 << 16;

    /** Stores the model's large Linear weights by unit or in panels; whether any went in panels or by unit. */
    static boolean apply(Sequential model) {
        boolean panels = false;
        boolean afterActivation = false;
        for (Layer layer : model.layers()) {
            if (layer instanceof Linear linear) {
                if (afterActivation) {
                    panels |= linear.storeWeightInPanels(Gemm.PANEL_WIDTH, PANELS_MIN_SIZE);
                } else {
                    panels |= linear.storeWeightByUnit(PANELS_MIN_SIZE);
                }
            }
            afterActivation |= layer instanceof Activation;
        }
        return panels;
    }
}
