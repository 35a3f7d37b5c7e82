package org.epochal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Conv2d;
import org.epochal.layer.Dropout;
import org.epochal.layer.Flatten;
import org.epochal.layer.Linear;
import org.epochal.layer.MaxPool2d;
import org.epochal.layer.ReLU;
import org.epochal.layer.Sequential;
import org.epochal.tensor.Tensor;
import org.epochal.testing.Golden;
import org.epochal.testing.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights cross between PyTorch and Epochal both ways: a state_dict PyTorch wrote loads here and gives
 * PyTorch's outputs; the file Epochal writes (committed as a fixture, byte-checked here) was loaded by
 * PyTorch with strict=True by tools/golden/generate.py --check-epochal, whose verdict is committed too.
 */
class WeightsInteropTest {
    @TempDir
    Path dir;

    /** The architecture of the fixtures: Conv2d(1,4,3,padding=1), BatchNorm2d, ..., Linear(8,3). */
    static Sequential model() {
        return new Sequential(new int[] {1, 8, 8}, new Conv2d(4, 3, 1, 1), new BatchNorm(), new ReLU(),
                new MaxPool2d(2, 2), new Flatten(), new Linear(8), new ReLU(), new Dropout(0.5), new Linear(3));
    }

    @Test
    void pytorchFileLoadsAndGivesPytorchOutputs() {
        Sequential model = model();
        Weights.load(model, Golden.path("model_torch.safetensors"));
        assertEquals(3, ((BatchNorm) model.layers().get(1)).batchesTracked());
        Golden io = Golden.load("model_torch_io");
        io.assertClose("output", model.forward(io.tensor("input"), false), 1e-5);
    }

    /** The Epochal-written fixture, rebuilt from seed 7: bytes equal to the committed file. */
    static void writeEpochalModel(Path weights, Path io) throws IOException {
        Sequential model = model();
        model.initialize(7);
        for (int i = 0; i < 3; i++) {
            model.forward(GradientCheck.random(100 + i, 2.0, 6, 1, 8, 8), true); // running statistics move
        }
        Tensor input = GradientCheck.random(200, 1.0, 5, 1, 8, 8);
        Tensor output = model.forward(input, false);
        Weights.save(model, weights, Map.of("producer", "epochal WeightsInteropTest"));
        SafeTensors.write(io, List.of(SafeTensors.Entry.f32("input", input.shape(), input.copy().data()),
                SafeTensors.Entry.f32("output", output.shape(), output.copy().data())), Map.of());
    }

    @Test
    void epochalFileIsTheOnePytorchLoaded() throws IOException {
        Path weights = dir.resolve("epochal_written.safetensors");
        Path io = dir.resolve("epochal_written_io.safetensors");
        writeEpochalModel(weights, io);
        String regenerate = System.getProperty("epochal.regenerate");
        if (regenerate != null) {
            Files.copy(weights, Path.of(regenerate, "epochal_written.safetensors"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(io, Path.of(regenerate, "epochal_written_io.safetensors"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertArrayEquals(Files.readAllBytes(Golden.path("epochal_written.safetensors")), Files.readAllBytes(weights),
                "the writer changed: regenerate the fixture and re-run generate.py --check-epochal");
        assertArrayEquals(Files.readAllBytes(Golden.path("epochal_written_io.safetensors")), Files.readAllBytes(io));
        @SuppressWarnings("unchecked")
        Map<String, Object> verdict = (Map<String, Object>) Json.parse(
                Files.readString(Golden.path("epochal_written_check.json")));
        assertEquals(Boolean.TRUE, verdict.get("loaded_strict"), verdict.toString());
        assertTrue(((Number) verdict.get("max_rel_error")).doubleValue() <= 1e-5, verdict.toString());
    }

    @Test
    void saveThenLoadRestoresEveryTensor() throws IOException {
        Sequential a = model();
        a.initialize(1);
        a.forward(GradientCheck.random(3, 1.0, 4, 1, 8, 8), true);
        Path file = dir.resolve("a.safetensors");
        Weights.save(a, file, Map.of());
        Sequential b = model();
        b.initialize(2);
        Weights.load(b, file);
        Tensor x = GradientCheck.random(4, 1.0, 3, 1, 8, 8);
        assertArrayEquals(a.forward(x, false).copy().data(), b.forward(x, false).copy().data());
    }

    @Test
    void fileForAnotherModelIsRefusedAndLeavesTheModelAsItWas() throws IOException {
        Sequential other = new Sequential(new int[] {1, 8, 8}, new Conv2d(4, 3, 1, 1), new BatchNorm(),
                new ReLU(), new MaxPool2d(2, 2), new Flatten(), new Linear(16), new ReLU(), new Dropout(0.5),
                new Linear(3), new ReLU(), new Linear(2));
        other.initialize(5);
        Path file = dir.resolve("other.safetensors");
        Weights.save(other, file, Map.of());
        Sequential model = model();
        model.initialize(9);
        List<float[]> before = new ArrayList<>();
        model.params().forEach(p -> before.add(p.data().clone()));
        BadInputException e = assertThrows(BadInputException.class, () -> Weights.load(model, file));
        String m = e.getMessage();
        assertTrue(m.contains("tensor '5.weight' has shape [16, 64] but layer 5 (linear) expects [8, 64]"), m);
        assertTrue(m.contains("unexpected tensor '10.weight'"), m);
        assertTrue(m.startsWith(file.toString()), m);
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), model.params().get(i).data(), "weights untouched");
        }
    }

    @Test
    void missingTensorIsNamedWithItsShape() throws IOException {
        Path file = dir.resolve("partial.safetensors");
        Sequential model = model();
        model.initialize(1);
        List<SafeTensors.Entry> entries = new ArrayList<>(Weights.stateDict(model));
        entries.removeIf(t -> t.name().equals("8.bias"));
        SafeTensors.write(file, entries, Map.of());
        BadInputException e = assertThrows(BadInputException.class, () -> Weights.load(model(), file));
        assertTrue(e.getMessage().contains("missing tensor '8.bias' [3] for layer 8 (linear)"), e.getMessage());
    }
}
