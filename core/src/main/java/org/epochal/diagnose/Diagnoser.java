package org.epochal.diagnose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.io.Json;

/**
 * Runs the detectors over a run's evidence and reads or writes diagnosis.json. {@link #standard()} has one
 * detector per finding id of SPEC section 5; {@link #with} adds one's own.
 */
public final class Diagnoser {
    public static final String FILE = "diagnosis.json";
    private final List<Detector> detectors;

    private Diagnoser(List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    public static Diagnoser standard() {
        return new Diagnoser(List.of(new PreflightDetector(), new EpochBoundaryDetector(), new StallDetector(),
                new DivergenceDetector(), new OscillationDetector(), new OverfittingDetector(),
                new LayerHealthDetector()));
    }

    /** These detectors and {@code more}. */
    public Diagnoser with(List<Detector> more) {
        List<Detector> all = new ArrayList<>(detectors);
        all.addAll(more);
        return new Diagnoser(all);
    }

    /** Findings in order of epoch (pre-flight first); a detector that fails is skipped, not fatal. */
    public List<Finding> diagnose(Evidence evidence) {
        List<Finding> out = new ArrayList<>();
        for (Detector d : detectors) {
            try {
                out.addAll(d.detect(evidence));
            } catch (RuntimeException e) {
                out.add(new Finding("detector_failed", Finding.INFO, null, null, d.getClass().getSimpleName()
                        + " could not run", List.of(), String.valueOf(e), List.of()));
            }
        }
        out.sort(Comparator.comparing((Finding f) -> f.epoch() == null ? Integer.MAX_VALUE : f.epoch()));
        return out;
    }

    /** Diagnoses the run folder and writes its diagnosis.json (whole or not at all). */
    public List<Finding> diagnose(Path runDir) throws IOException {
        List<Finding> findings = diagnose(Evidence.read(runDir));
        write(runDir, findings);
        return findings;
    }

    public static void write(Path runDir, List<Finding> findings) throws IOException {
        List<Object> list = new ArrayList<>();
        findings.forEach(f -> list.add(f.toMap()));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("findings", list);
        Path tmp = runDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, Json.write(root) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, runDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A run's findings as its diagnosis.json holds them (the Java API for reading a diagnosis). */
    @SuppressWarnings("unchecked")
    public static List<Finding> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        try {
            Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            List<Finding> out = new ArrayList<>();
            for (Object o : (List<Object>) root.get("findings")) {
                out.add(Finding.fromMap((Map<String, Object>) o));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": cannot read the diagnosis (" + e.getMessage() + ")");
        }
    }
}
