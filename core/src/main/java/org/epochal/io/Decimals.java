package org.epochal.io;

/**
 * Reads decimal numbers as {@link Double#parseDouble} does, the same double, through a short path for the
 * numbers the run folder's files hold (a float's shortest digits, as Float.toString and Json write them):
 * up to 15 significant digits and a power of ten up to 22 either way, where the digits as a long and the
 * power of ten are both exact doubles, so one multiplication or division rounds once, correctly (Clinger's
 * fast path). Anything else goes to Double.parseDouble.
 *
 * <p>Why: the live diagnosis reads each epoch's rows back (Evidence.Follower), a few hundred numbers an epoch.
 * That made the JDK's general parser hot enough after five or six epochs for C2 to compile it, 100–120 ms of
 * compiling (JFR, batch 512 on two threads) on a vCPU the training needed; this loop compiles in a few.
 */
public final class Decimals {
    private Decimals() {
    }

    /** 10^0 .. 10^22: every one an exact double. */
    private static final double[] POWERS = new double[23];

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
    }

    /** Double.parseDouble(s), the same double or the same NumberFormatException. */
    public static double parseDouble(String s) {
        int n = s.length();
        int i = 0;
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long digits = 0;
        int significant = 0; // digits taken into `digits`, leading zeros not counted
        int scale = 0; // power of ten to apply to `digits`
        boolean any = false;
        boolean point = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                any = true;
                if (digits == 0 && c == '0') {
                    scale -= point ? 1 : 0;
                    continue;
                }
                if (++significant > 15) {
                    return Double.parseDouble(s);
                }
                digits = digits * 10 + (c - '0');
                scale -= point ? 1 : 0;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E') && any) {
            int j = i + 1;
            boolean expNegative = false;
            if (j < n && (s.charAt(j) == '-' || s.charAt(j) == '+')) {
                expNegative = s.charAt(j) == '-';
                j++;
            }
            int exponent = 0;
            int start = j;
            for (; j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9' && exponent < 1000; j++) {
                exponent = exponent * 10 + (s.charAt(j) - '0');
            }
            if (j == start || j != n) {
                return Double.parseDouble(s);
            }
            scale += expNegative ? -exponent : exponent;
            i = j;
        }
        if (!any || i != n) {
            return Double.parseDouble(s); // a name (NaN, Infinity), a suffix, or not a number: its answer
        }
        if (digits == 0) {
            return negative ? -0.0 : 0.0;
        }
        double value;
        if (scale >= 0 && scale < POWERS.length) {
            value = digits * POWERS[scale];
        } else if (scale < 0 && -scale < POWERS.length) {
            value = digits / POWERS[-scale];
        } else {
            return Double.parseDouble(s);
        }
        return negative ? -value : value;
    }
}
