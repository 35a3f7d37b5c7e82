package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epochal.io.Json;
import org.epochal.io.SafeTensors;
import org.epochal.run.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two epochs of SGD with momentum from PyTorch's initial weights (--init-weights), data in file order,
 * give PyTorch's loss at every batch (fixture: tools/golden/trainer_reference.py).
 */
class PytorchLossesTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void perBatchLossesAndFinalWeightsMatchPyTorch() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/golden/sgd_two_epochs/experiment.yaml").toURI()).getParent();
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", dir.resolve("experiment.yaml").toString(), "--out", run.toString(),
                "--init-weights", dir.resolve("init.safetensors").toString(), "--quiet");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> expected = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("losses.json")));
        List<Object> losses = (List<Object>) expected.get("batch_losses");
        double[] actual = CsvTable.read(run.resolve("batches.csv")).column("loss");
        assertEquals(losses.size(), actual.length);
        for (int i = 0; i < actual.length; i++) {
            double e = ((Number) losses.get(i)).doubleValue();
            assertEquals(e, actual[i], 1e-5 * Math.abs(e), "batch " + (i + 1));
        }
        List<Object> epochLoss = (List<Object>) expected.get("epoch_train_loss");
        double[] trainLoss = CsvTable.read(run.resolve("epochs.csv")).column("train_loss");
        for (int e = 0; e < 2; e++) {
            assertEquals(((Number) epochLoss.get(e)).doubleValue(), trainLoss[e], 1e-5);
        }
        Map<String, Object> finals = (Map<String, Object>) expected.get("final");
        Map<String, SafeTensors.Entry> weights = SafeTensors.read(run.resolve("model.safetensors")).tensors();
        for (Map.Entry<String, Object> f : finals.entrySet()) {
            List<Object> values = (List<Object>) f.getValue();
            float[] w = weights.get(f.getKey()).floats();
            double scale = 0;
            double maxDiff = 0;
            for (int i = 0; i < w.length; i++) {
                double v = ((Number) values.get(i)).doubleValue();
                scale = Math.max(scale, Math.abs(v));
                maxDiff = Math.max(maxDiff, Math.abs(v - w[i]));
            }
            assertEquals(0, maxDiff / scale, 1e-4, f.getKey());
        }
    }
}
