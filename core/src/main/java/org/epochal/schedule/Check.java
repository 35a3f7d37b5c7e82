package org.epochal.schedule;

/**
 * Value checks for schedule constructors. Messages start with the option's experiment-file name
 * ("gamma: expected a number > 0, got -1.0") so a config parser can put the key path in front.
 */
final class Check {
    private Check() {
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + ": expected an integer >= " + min + ", got " + value);
        }
    }

    static void positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + ": expected a number > 0, got " + value);
        }
    }

    static void nonNegative(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + ": expected a finite number >= 0, got " + value);
        }
    }

    /** lo ≤ value ≤ hi, or lo ≤ value < hi when {@code hiOpen}. */
    static void inRange(String option, double value, double lo, double hi, boolean hiOpen) {
        boolean ok = value >= lo && (hiOpen ? value < hi : value <= hi);
        if (!ok) {
            throw new IllegalArgumentException(option + ": expected a number in [" + lo + ", " + hi
                    + (hiOpen ? ")" : "]") + ", got " + value);
        }
    }

    static void oneOf(String option, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return;
            }
        }
        throw new IllegalArgumentException(option + ": expected one of " + String.join(", ", allowed) + ", got '"
                + value + "'");
    }
}
