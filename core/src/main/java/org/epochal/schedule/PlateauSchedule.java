package org.epochal.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code reduce_on_plateau{monitor=val_loss, mode=min, factor=0.1, patience=10, threshold=1e-4,
 * threshold_mode=rel, cooldown=0, min_lr=0, eps=1e-8}}: multiplies the rate by factor when the monitored
 * metric has not improved for more than patience epochs. Matches PyTorch's ReduceLROnPlateau.step()
 * line by line: is_better against best (rel: best·(1 ∓ threshold), abs: best ∓ threshold), num_bad_epochs,
 * cooldown_counter (bad epochs are ignored while it counts down), a reduction when
 * num_bad_epochs > patience: new = max(old·factor, min_lr), applied only when old − new > eps.
 *
 * <p>The reduced rate is kept as the number of reductions applied, n: lr = lrIn reduced n times, each
 * time x ← max(x·factor, min_lr) (never raising x). Alone in a list lrIn is the base rate, so this
 * performs PyTorch's multiplications in PyTorch's order and gives its rates to the bit. The metric is
 * read in {@link #observe} (once per epoch, whatever the unit: unit has no effect on this schedule).
 */
public final class PlateauSchedule extends Schedule {
    /** The options, validated; {@link #DEFAULTS} holds PyTorch's defaults. */
    public record Settings(String monitor, String mode, double factor, int patience, double threshold,
            String thresholdMode, int cooldown, double minLr, double eps) {
        public static final Settings DEFAULTS = new Settings("val_loss", "min", 0.1, 10, 1e-4, "rel", 0, 0, 1e-8);

        public Settings {
            if (monitor == null || monitor.isBlank()) {
                throw new IllegalArgumentException("monitor: expected a metric name such as val_loss");
            }
            Check.oneOf("mode", mode, "min", "max");
            Check.inRange("factor", factor, 0, 1, true);
            Check.atLeast("patience", patience, 0);
            Check.nonNegative("threshold", threshold);
            Check.oneOf("threshold_mode", thresholdMode, "rel", "abs");
            Check.atLeast("cooldown", cooldown, 0);
            Check.nonNegative("min_lr", minLr);
            Check.nonNegative("eps", eps);
        }
    }

    private static final Set<String> STATE_KEYS =
            Set.of("best", "num_bad_epochs", "cooldown_counter", "reductions", "last_lr_in");

    private final Settings settings;
    private final boolean minimize;
    private final boolean relative;
    // PyTorch's state, plus what stands in for the optimizer's lr.
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int reductions;
    /** The lrIn of the latest {@link #lr} call: the "old_lr" a reduction starts from (NaN before any). */
    private double lastLrIn = Double.NaN;

    public PlateauSchedule(Settings settings, Unit unit) {
        super(unit);
        this.settings = settings;
        this.minimize = settings.mode().equals("min");
        this.relative = settings.thresholdMode().equals("rel");
        this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY; // PyTorch's mode_worse
    }

    @Override
    public String type() {
        return "reduce_on_plateau";
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public double lr(long t, double lrIn) {
        lastLrIn = lrIn;
        return reduced(lrIn);
    }

    private double reduced(double lrIn) {
        double x = lrIn;
        for (int i = 0; i < reductions; i++) {
            x = Math.min(x, Math.max(x * settings.factor(), settings.minLr()));
        }
        return x;
    }

    @Override
    public void observe(Map<String, Double> metrics) {
        Double value = metrics.get(settings.monitor());
        if (value == null) {
            throw new IllegalArgumentException("reduce_on_plateau monitors '" + settings.monitor()
                    + "', but the epoch's metrics are only " + new TreeSet<>(metrics.keySet())
                    + " (val_ metrics need validation data)");
        }
        double current = value;
        // NOTE: a NaN metric is never better, so it counts as a bad epoch, as in PyTorch.
        if (isBetter(current)) {
            best = current;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs during cooldown are ignored
        }
        if (numBadEpochs > settings.patience()) {
            double old = reduced(lastLrIn);
            double reduced = Math.max(old * settings.factor(), settings.minLr());
            // Unknown old rate (observe before any lr call): count it; lr() never raises the rate anyway.
            if (Double.isNaN(old) || old - reduced > settings.eps()) {
                reductions++;
            }
            cooldownCounter = settings.cooldown();
            numBadEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        double threshold = settings.threshold();
        if (minimize) {
            return relative ? a < best * (1. - threshold) : a < best - threshold;
        }
        return relative ? a > best * (threshold + 1.) : a > best + threshold;
    }

    /** The number of reductions applied so far. */
    public int reductions() {
        return reductions;
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("best", encode(best));
        state.put("num_bad_epochs", numBadEpochs);
        state.put("cooldown_counter", cooldownCounter);
        state.put("reductions", reductions);
        state.put("last_lr_in", encode(lastLrIn));
        return state;
    }

    @Override
    public void restore(Map<String, Object> state) {
        if (!state.keySet().equals(STATE_KEYS)) {
            throw new IllegalArgumentException("reduce_on_plateau state: expected keys " + new TreeSet<>(STATE_KEYS)
                    + ", got " + new TreeSet<>(state.keySet()));
        }
        double restoredBest = decode(state, "best");
        int bad = count(state, "num_bad_epochs");
        int cooldown = count(state, "cooldown_counter");
        int n = count(state, "reductions");
        double lrIn = decode(state, "last_lr_in");
        best = restoredBest;
        numBadEpochs = bad;
        cooldownCounter = cooldown;
        reductions = n;
        lastLrIn = lrIn;
    }

    @Override
    protected void addOptions(Map<String, Object> config) {
        config.put("monitor", settings.monitor());
        config.put("mode", settings.mode());
        config.put("factor", settings.factor());
        config.put("patience", settings.patience());
        config.put("threshold", settings.threshold());
        config.put("threshold_mode", settings.thresholdMode());
        config.put("cooldown", settings.cooldown());
        config.put("min_lr", settings.minLr());
        config.put("eps", settings.eps());
    }

    // JSON has no infinities or NaN (and Json.write turns them into null), yet best starts at ±inf:
    // non-finite values are stored as the strings Double.toString gives them.
    private static Object encode(double value) {
        return Double.isFinite(value) ? (Object) value : Double.toString(value);
    }

    private static double decode(Map<String, Object> state, String key) {
        Object v = state.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s && (s.equals("Infinity") || s.equals("-Infinity") || s.equals("NaN"))) {
            return Double.parseDouble(s);
        }
        throw new IllegalArgumentException("reduce_on_plateau state: " + key + " must be a number, got " + v);
    }

    private static int count(Map<String, Object> state, String key) {
        Object v = state.get(key);
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0
                && ((Number) v).longValue() <= Integer.MAX_VALUE) {
            return ((Number) v).intValue();
        }
        throw new IllegalArgumentException("reduce_on_plateau state: " + key + " must be an integer >= 0, got " + v);
    }
}
