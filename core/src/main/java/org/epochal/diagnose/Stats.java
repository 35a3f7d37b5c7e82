package org.epochal.diagnose;

import java.util.Arrays;

/** The few statistics the detectors share, over plain arrays (NaN and infinities skipped where noted). */
final class Stats {
    private Stats() {
    }

    static double mean(double[] v, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(v.length, to); i++) {
            if (Double.isFinite(v[i])) {
                s += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    static double mean(double[] v) {
        return mean(v, 0, v.length);
    }

    /**
     * The batch-to-batch spread of a loss sequence: the standard deviation of consecutive differences
     * divided by √2. Differencing removes a smooth trend, so a falling loss does not count as noise.
     */
    static double noise(double[] v) {
        if (v.length < 3) {
            return Double.NaN;
        }
        double[] d = new double[v.length - 1];
        for (int i = 1; i < v.length; i++) {
            d[i - 1] = v[i] - v[i - 1];
        }
        double m = mean(d);
        double s = 0;
        for (double x : d) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (d.length - 1)) / Math.sqrt(2);
    }

    /**
     * A robust batch-to-batch spread: the median absolute deviation of consecutive differences, scaled to a
     * standard deviation (×1.4826) and divided by √2. Rare large jumps (a class switch in sorted data, one
     * odd batch) do not inflate it, so a genuine jump stands out against it.
     */
    static double robustNoise(double[] v) {
        if (v.length < 3) {
            return Double.NaN;
        }
        double[] d = new double[v.length - 1];
        for (int i = 1; i < v.length; i++) {
            d[i - 1] = v[i] - v[i - 1];
        }
        double med = median(d);
        double[] dev = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            dev[i] = Math.abs(d[i] - med);
        }
        return 1.4826 * median(dev) / Math.sqrt(2);
    }

    /** Least-squares slope of v[from..to) against its index. */
    static double slope(double[] v, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return 0;
        }
        double mx = (n - 1) / 2.0;
        double my = mean(v, from, to);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (i - mx) * (v[from + i] - my);
            sxx += (i - mx) * (i - mx);
        }
        return sxy / sxx;
    }

    static double median(double[] v) {
        double[] finite = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (finite.length == 0) {
            return Double.NaN;
        }
        int n = finite.length;
        return n % 2 == 1 ? finite[n / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2;
    }

    /** Pearson correlation of two equally long sequences (NaN if either is constant). */
    static double correlation(double[] a, double[] b) {
        int n = Math.min(a.length, b.length);
        double ma = mean(a, 0, n);
        double mb = mean(b, 0, n);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Double.NaN;
    }

    /**
     * A number rounded to 4 significant digits, for evidence that reads well: its shortest decimal form
     * (what a file shows) rounded half up, 1.2345 to 1.235, as BigDecimal.valueOf(v).round(4 digits) does.
     * Done on that form's digits as a long, not with BigDecimal: the first use of BigDecimal in a JVM
     * computes a table of large powers (500 KB numbers, squared on the common fork-join pool), and the
     * BigInteger arithmetic it ran was hot enough for C2 to compile it during training's next epoch.
     */
    static double round(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        String s = Double.toString(Math.abs(v)); // at most 17 significant digits: "0.0012345", "1.2345E-8"
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        int exponent = (e < 0 ? 0 : Integer.parseInt(s.substring(e + 1))) - (mantissa.length() - dot - 1);
        long digits = Long.parseLong(mantissa.substring(0, dot) + mantissa.substring(dot + 1)); // v = digits·10^exponent
        int extra = Long.toString(digits).length() - 4;
        if (extra > 0) {
            long unit = 1;
            for (int i = 0; i < extra; i++) {
                unit *= 10;
            }
            digits = digits % unit * 2 >= unit ? digits / unit + 1 : digits / unit;
            exponent += extra;
        }
        return Math.copySign(Double.parseDouble(digits + "E" + exponent), v);
    }
}
