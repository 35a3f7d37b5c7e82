package org.epochal.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epochal.BadInputException;
import org.epochal.io.Json;
import org.epochal.io.SafeTensors;
import org.epochal.train.Callback;
import org.epochal.train.Events;
import org.epochal.train.Stateful;
import org.epochal.train.Trainer;

/**
 * checkpoints/epoch-NNNN.safetensors: everything a resume needs. Arrays of every {@link Stateful} are
 * tensors named "KEY/ARRAY"; their scalar state is JSON in the metadata ("state"), beside the resolved
 * experiment ("experiment"). Written every {@code every} epochs, at the last epoch and when training
 * stops; each file is written beside its final name and renamed, so a crash leaves the previous one whole;
 * only the newest {@code keepLast} are kept. An epoch-0000 file holds the starting point.
 */
public final class Checkpoints implements Callback {
    public static final String DIR = "checkpoints";
    private static final String FORMAT = "epochal-checkpoint-1";
    private final Path dir;
    private final List<Stateful> parts;
    private final Map<String, Object> experiment;
    private final int every;
    private final int keepLast;
    private final int epochs;

    public Checkpoints(Path runDir, List<Stateful> parts, Map<String, Object> experiment, int every, int keepLast,
                       int epochs) {
        this.dir = runDir.resolve(DIR);
        this.parts = List.copyOf(parts);
        this.experiment = experiment;
        this.every = every;
        this.keepLast = keepLast;
        this.epochs = epochs;
    }

    @Override
    public void runStart(Events.RunStart event, Trainer.Control control) {
        if (event.startEpoch() == 1) {
            save(0);
        }
    }

    @Override
    public void epochEnd(Events.EpochEnd event, Trainer.Control control) {
        if (event.epoch() % every == 0 || event.epoch() == epochs || control.stopRequested()) {
            save(event.epoch());
        }
    }

    /** Writes the checkpoint of {@code epoch} and prunes old ones. */
    public void save(int epoch) {
        try {
            Files.createDirectories(dir);
            List<SafeTensors.Entry> tensors = new ArrayList<>();
            Map<String, Object> state = new LinkedHashMap<>();
            for (Stateful part : parts) {
                Stateful.State s = part.saveState();
                state.put(part.stateKey(), s.values());
                s.arrays().forEach((name, values) -> tensors.add(
                        SafeTensors.Entry.f32(part.stateKey() + "/" + name, new int[] {values.length}, values)));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", FORMAT);
            metadata.put("epoch", Integer.toString(epoch));
            metadata.put("state", Json.write(state));
            metadata.put("experiment", Json.write(experiment));
            SafeTensors.write(dir.resolve(String.format("epoch-%04d.safetensors", epoch)), tensors, metadata);
            List<Path> all = list(dir);
            for (int i = 0; i < all.size() - keepLast; i++) {
                Files.deleteIfExists(all.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + dir, e);
        }
    }

    /** A checkpoint read back: its epoch, the experiment tree, and each part's state by key. */
    public record Loaded(int epoch, Map<String, Object> experiment, Map<String, Stateful.State> states) {
        public void restore(Stateful part) {
            Stateful.State s = states.get(part.stateKey());
            if (s != null) {
                part.restoreState(s);
            }
        }
    }

    /** The newest checkpoint of a run folder. */
    @SuppressWarnings("unchecked")
    public static Loaded latest(Path runDir) {
        Path d = runDir.resolve(DIR);
        List<Path> all = Files.isDirectory(d) ? list(d) : List.of();
        if (all.isEmpty()) {
            throw new BadInputException(runDir + ": no checkpoint to resume from (expected " + DIR
                    + "/epoch-NNNN.safetensors; is this a run folder?)");
        }
        Path file = all.get(all.size() - 1);
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new BadInputException(file + ": not an Epochal checkpoint (format " + c.metadata().get("format") + ")");
        }
        Map<String, Object> state;
        Map<String, Object> experiment;
        try {
            state = (Map<String, Object>) Json.parse(c.metadata().get("state"));
            experiment = (Map<String, Object>) Json.parse(c.metadata().get("experiment"));
        } catch (RuntimeException e) {
            throw new BadInputException(file + ": damaged checkpoint metadata (" + e.getMessage() + ")");
        }
        Map<String, Stateful.State> states = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : state.entrySet()) {
            Map<String, float[]> arrays = new LinkedHashMap<>();
            String prefix = e.getKey() + "/";
            c.tensors().forEach((name, t) -> {
                if (name.startsWith(prefix)) {
                    arrays.put(name.substring(prefix.length()), t.floats());
                }
            });
            states.put(e.getKey(), new Stateful.State((Map<String, Object>) e.getValue(), arrays));
        }
        return new Loaded(Integer.parseInt(c.metadata().get("epoch")), experiment, states);
    }

    private static long epochOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(6, name.indexOf('.')));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("epoch-\\d{4,}\\.safetensors"))
                    .sorted(java.util.Comparator.comparingLong(Checkpoints::epochOf)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
