package org.epochal.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.epochal.train.Callback;
import org.epochal.train.Events;
import org.epochal.train.Trainer;

/**
 * The terminal: while an epoch trains, one line rewritten in place (batches done, running loss,
 * samples/s, ETA) when the output is a terminal; at each epoch's end a Keras-style summary line.
 */
public final class ProgressPrinter implements Callback {
    private final PrintStream out;
    private final boolean live;
    private int epochs;
    private int batches;
    private long epochStart;
    private long lastPrint;
    private double lossSum;
    private long samples;

    public ProgressPrinter(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public void runStart(Events.RunStart e, Trainer.Control control) {
        epochs = e.epochs();
        if (e.startEpoch() > 1) {
            out.printf(Locale.ROOT, "Resuming at epoch %d/%d (step %d)%n", e.startEpoch(), e.epochs(), e.step());
        }
    }

    @Override
    public void epochStart(Events.EpochStart e, Trainer.Control control) {
        batches = e.batches();
        epochStart = System.nanoTime();
        lastPrint = epochStart;
        lossSum = 0;
        samples = 0;
    }

    @Override
    public void batchEnd(Events.BatchEnd e, Trainer.Control control) {
        lossSum += e.loss() * e.samples();
        samples += e.samples();
        long now = System.nanoTime();
        if (live && (now - lastPrint > 200_000_000L || e.batch() == batches)) {
            lastPrint = now;
            double seconds = (now - epochStart) / 1e9;
            double eta = seconds / e.batch() * (batches - e.batch());
            out.printf(Locale.ROOT, "\rEpoch %d/%d  %d/%d batches  loss %.4f  %,.0f samples/s  ETA %.1fs   ",
                    e.epoch(), epochs, e.batch(), batches, lossSum / samples, samples / Math.max(seconds, 1e-9), eta);
            out.flush();
        }
    }

    @Override
    public void epochEnd(Events.EpochEnd e, Trainer.Control control) {
        StringBuilder line = new StringBuilder();
        if (live) {
            line.append('\r');
        }
        line.append(String.format(Locale.ROOT, "Epoch %d/%d - %.1fs - %,.0f samples/s", e.epoch(), epochs,
                e.seconds(), e.samplesPerSecond()));
        for (Map.Entry<String, Double> v : e.values().entrySet()) {
            String name = v.getKey().startsWith("train_") ? v.getKey().substring(6) : v.getKey();
            line.append(String.format(Locale.ROOT, " - %s: %.4f", name, v.getValue()));
        }
        line.append(String.format(Locale.ROOT, " - lr: %.3g", e.lr()));
        out.println(line);
    }

    @Override
    public void runEnd(Events.RunEnd e, Trainer.Control control) {
        if (e.stopReason() != null) {
            out.println((live ? "\n" : "") + "Stopped: " + e.stopReason());
        }
    }
}
