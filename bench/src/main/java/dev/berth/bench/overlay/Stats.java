package dev.berth.bench.overlay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of a few samples; NaN samples (figures that were not seen) are left out. */
public final class Stats {
    private Stats() {
    }

    /** The median (the mean of the middle two for an even count); NaN for no samples. */
    public static double median(List<Double> samples) {
        List<Double> s = sorted(samples);
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /**
     * The nearest-rank percentile: the smallest sample with at least {@code p} percent of the samples at or below it
     * (of 20 samples, p99 is the largest). NaN for no samples.
     */
    public static double percentile(List<Double> samples, double p) {
        List<Double> s = sorted(samples);
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    /** The samples in ascending order, without NaN (a figure that was not seen). */
    public static List<Double> sorted(List<Double> samples) {
        List<Double> s = new ArrayList<>(samples);
        s.removeIf(v -> v.isNaN());
        Collections.sort(s);
        return s;
    }
}
