package org.epochal.data;

import java.util.Arrays;
import org.epochal.BadInputException;
import org.epochal.rng.Rng;

/**
 * Holds out part of the training data for validation ({@code validation: {fraction}}), as a pure
 * function of (data, fraction, seed): both parts keep the original order of their samples, so nothing
 * depends on hash order or on how a shuffle happened to be implemented elsewhere.
 */
public final class Splits {
    // Names the split's random stream, so that it is independent of every other draw made from the run seed.
    private static final long VALIDATION_STREAM = 0x76616c6964L; // "valid"

    private Splits() {
    }

    /**
     * Returns {train, validation}. The validation set has round(fraction × size) samples, but at least one
     * and at most size − 1, so neither part is empty.
     *
     * <p>Stratified (classification, one class index per sample): each class gives its share
     * fraction × count, rounded so that the shares add up to the total (largest remainders first, ties
     * broken at random), which keeps rare classes' proportions. Otherwise a seeded random subset.
     */
    public static Dataset[] validationSplit(Dataset data, double fraction, long seed, boolean stratified) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new BadInputException("validation: fraction must be between 0 and 1 (exclusive), got " + fraction);
        }
        int n = data.size();
        if (n < 2) {
            throw new BadInputException(data.origin() + ": " + n + " sample(s) cannot be split into training and"
                    + " validation sets");
        }
        int total = (int) Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
        Rng rng = Rng.derive(seed, VALIDATION_STREAM);
        boolean[] held = stratified ? stratifiedPick(data, fraction, total, rng) : randomPick(n, total, rng);
        int[] trainIndices = new int[n - total];
        int[] validationIndices = new int[total];
        int t = 0;
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (held[i]) {
                validationIndices[v++] = i;
            } else {
                trainIndices[t++] = i;
            }
        }
        return new Dataset[] {
                relabel(data.subset(trainIndices), data.origin() + " (training part)"),
                relabel(data.subset(validationIndices), data.origin() + " (validation part)")};
    }

    private static boolean[] randomPick(int n, int count, Rng rng) {
        int[] order = identity(n);
        rng.shuffle(order);
        boolean[] held = new boolean[n];
        for (int i = 0; i < count; i++) {
            held[order[i]] = true;
        }
        return held;
    }

    private static boolean[] stratifiedPick(Dataset data, double fraction, int total, Rng rng) {
        if (data.targetWidth() != 1) {
            throw new IllegalArgumentException("a stratified split needs one class index per sample, got "
                    + data.targetWidth() + " targets per sample");
        }
        float[] targets = data.targets();
        int classes = 0;
        for (float y : targets) {
            if (y < 0 || y != (int) y) {
                throw new IllegalArgumentException("a stratified split needs class indices, got target " + y);
            }
            classes = Math.max(classes, (int) y + 1);
        }
        // Members of each class, in original order: counting sort by class.
        int[] count = new int[classes];
        for (float y : targets) {
            count[(int) y]++;
        }
        int[] start = new int[classes + 1];
        for (int c = 0; c < classes; c++) {
            start[c + 1] = start[c] + count[c];
        }
        int[] members = new int[targets.length];
        int[] fill = Arrays.copyOf(start, classes);
        for (int i = 0; i < targets.length; i++) {
            members[fill[(int) targets[i]]++] = i;
        }

        int[] take = shares(count, fraction, total, rng);
        boolean[] held = new boolean[targets.length];
        for (int c = 0; c < classes; c++) {
            int[] mine = Arrays.copyOfRange(members, start[c], start[c + 1]);
            rng.shuffle(mine);
            for (int k = 0; k < take[c]; k++) {
                held[mine[k]] = true;
            }
        }
        return held;
    }

    /**
     * How many samples each class gives: floor(fraction × count), then one more to the classes with the
     * largest remainders until the shares add up to {@code total} (Hamilton's apportionment).
     */
    private static int[] shares(int[] count, double fraction, int total, Rng rng) {
        int classes = count.length;
        int[] take = new int[classes];
        double[] remainder = new double[classes];
        int assigned = 0;
        for (int c = 0; c < classes; c++) {
            double quota = fraction * count[c];
            take[c] = (int) Math.floor(quota);
            remainder[c] = quota - take[c];
            assigned += take[c];
        }
        // A random order first, then a stable sort by remainder: equal remainders are broken at random.
        int[] order = identity(classes);
        rng.shuffle(order);
        Integer[] boxed = Arrays.stream(order).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> Double.compare(remainder[b], remainder[a]));
        // The floors never exceed total (Σ floor(q) ≤ floor(Σ q) ≤ total), so shares only ever grow here.
        for (int k = 0; assigned < total; k = (k + 1) % classes) {
            int c = boxed[k];
            if (take[c] < count[c]) {
                take[c]++;
                assigned++;
            }
        }
        return take;
    }

    private static int[] identity(int n) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    private static Dataset relabel(Dataset data, String origin) {
        return new Dataset(data.features(), data.sampleShape(), data.targets(), data.targetWidth(),
                data.classNames(), origin);
    }
}
