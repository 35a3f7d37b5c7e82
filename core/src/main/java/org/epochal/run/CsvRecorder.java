package org.epochal.run;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epochal.train.Callback;
import org.epochal.train.Events;
import org.epochal.train.Trainer;

/**
 * batches.csv (epoch,batch,step,samples,loss,lr,grad_norm) and epochs.csv (epoch,train_loss,...,lr,
 * seconds,samples_per_second): one row per batch and per epoch, appended and flushed as training goes,
 * so a killed run keeps every finished row. On resume, rows of epochs after the checkpoint are dropped
 * first: the resumed run writes them again.
 */
public final class CsvRecorder implements Callback, AutoCloseable {
    public static final String BATCHES = "batches.csv";
    public static final String EPOCHS = "epochs.csv";
    private final FileOutputStream batches;
    private final FileOutputStream epochs;
    private final List<String> epochColumns;
    private final StringBuilder row = new StringBuilder(128);
    private byte[] bytes = new byte[128];
    /** The step whose row {@link #batchComputed} wrote. */
    private long rowWritten = -1;
    private double lastLr;
    private String lastLrText;

    /**
     * @param valueColumns the epoch value columns (train_loss, train_accuracy, val_loss, ...)
     * @param keepEpochs rows of epochs up to this one are kept (a resume); -1 for a new run
     */
    public CsvRecorder(Path runDir, List<String> valueColumns, int keepEpochs) throws IOException {
        this.epochColumns = List.copyOf(valueColumns);
        List<String> header = new ArrayList<>(List.of("epoch"));
        header.addAll(valueColumns);
        header.addAll(List.of("lr", "seconds", "samples_per_second"));
        this.batches = open(runDir.resolve(BATCHES), "epoch,batch,step,samples,loss,lr,grad_norm", keepEpochs);
        this.epochs = open(runDir.resolve(EPOCHS), String.join(",", header), keepEpochs);
    }

    private static FileOutputStream open(Path file, String header, int keepEpochs) throws IOException {
        List<String> kept = new ArrayList<>();
        kept.add(header);
        if (keepEpochs >= 0 && Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                int comma = line.indexOf(',');
                if (comma > 0 && Integer.parseInt(line.substring(0, comma)) <= keepEpochs) {
                    kept.add(line);
                }
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new FileOutputStream(file.toFile(), true);
    }

    /**
     * The batch's row, written while the optimizer steps when the trainer has a second thread free for it
     * (Callback#batchComputed), so the write's system call (3–4 µs) leaves the step's serial part; the row
     * is in the operating system's hands before batchEnd, as the SPEC asks (a killed run keeps every
     * finished row).
     */
    @Override
    public void batchComputed(Events.BatchEnd e) {
        writeRow(e);
        rowWritten = e.step();
    }

    @Override
    public boolean takesComputedBatches() {
        return true;
    }

    @Override
    public void batchEnd(Events.BatchEnd e, Trainer.Control control) {
        if (e.step() != rowWritten) { // a batch with no step (a loss that is not finite), or a caller of its own
            writeRow(e);
        }
    }

    private void writeRow(Events.BatchEnd e) {
        row.setLength(0);
        // the gradient norm as float32, as PyTorch's: a double's 17 digits sent every row through the slow
        // path (past 15 digits) of the number parser that the live diagnosis reads the file with
        row.append(e.epoch()).append(',').append(e.batch()).append(',').append(e.step()).append(',')
                .append(e.samples()).append(',').append(number(e.loss())).append(',').append(lrText(e.lr()))
                .append(',').append(number((float) e.gradNorm()));
        write(batches);
    }

    @Override
    public void epochEnd(Events.EpochEnd e, Trainer.Control control) {
        row.setLength(0);
        row.append(e.epoch());
        for (String column : epochColumns) {
            row.append(',').append(number(e.get(column)));
        }
        row.append(',').append(number(e.lr())).append(',').append(String.format(Locale.ROOT, "%.3f", e.seconds()))
                .append(',').append(String.format(Locale.ROOT, "%.1f", e.samplesPerSecond()));
        write(epochs);
    }

    /**
     * {@link #number} of the learning rate, formatted again only when it changes (by epoch, for most
     * schedules): a double such as 0.001 is no float, and formatting it every batch made the JDK's
     * DoubleToDecimal hot enough for C2 to compile it (four methods, 30 ms) in the third epoch of 3,000
     * samples at batch 1, beside the training.
     */
    private String lrText(double lr) {
        if (Double.doubleToRawLongBits(lr) != Double.doubleToRawLongBits(lastLr) || lastLrText == null) {
            lastLr = lr;
            lastLrText = number(lr);
        }
        return lastLrText;
    }

    /** Shortest text that reads back to the same float (losses are float32), or nan/inf. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        float f = (float) v;
        return f == v ? Float.toString(f) : Double.toString(v);
    }

    /**
     * The row and a newline in one write to the file, unbuffered: the row is in the operating system's hands
     * when the call returns, so a killed process loses none. A buffered writer flushed every row cost twice
     * as much (its character encoder, then the same system call): 10–16 µs a batch at batch 1 and 64.
     */
    private void write(FileOutputStream file) {
        int n = row.length();
        if (bytes.length < n + 1) {
            bytes = new byte[2 * (n + 1)];
        }
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) row.charAt(i); // numbers, commas and column names: ASCII
        }
        bytes[n] = '\n';
        try {
            file.write(bytes, 0, n + 1);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() throws IOException {
        batches.close();
        epochs.close();
    }
}
