package org.epochal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epochal.BadInputException;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Layer;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.tensor.Shapes;

/**
 * A model's weights as a safetensors file with nn.Sequential's state_dict names and layouts:
 * "{index}.weight", "{index}.bias", and for batchnorm "{index}.running_mean", "{index}.running_var",
 * "{index}.num_batches_tracked" (I64). A file PyTorch writes for the same layer list loads here, and
 * a file written here loads in PyTorch with strict=True.
 */
public final class Weights {
    private Weights() {
    }

    /** The model's state dict in PyTorch's order. */
    public static List<SafeTensors.Entry> stateDict(Sequential model) {
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (Layer layer : model.layers()) {
            for (Parameter p : layer.params()) {
                entries.add(SafeTensors.Entry.f32(layer.index() + "." + p.name(), p.shape(), p.inShapeOrder(p.data())));
            }
            for (Parameter b : layer.buffers()) {
                entries.add(SafeTensors.Entry.f32(layer.index() + "." + b.name(), b.shape(), b.data()));
            }
            if (layer instanceof BatchNorm bn) {
                entries.add(SafeTensors.Entry.i64(layer.index() + ".num_batches_tracked", new int[0],
                        new long[] {bn.batchesTracked()}));
            }
        }
        return entries;
    }

    public static void save(Sequential model, Path file, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, stateDict(model), metadata);
    }

    /**
     * Loads a file into the model. Every tensor is checked (missing, unexpected, wrong dtype or shape)
     * before any weight changes, so a bad file leaves the model as it was.
     */
    public static void load(Sequential model, Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, SafeTensors.Entry> given = new LinkedHashMap<>(contents.tensors());
        List<String> problems = new ArrayList<>();
        Map<Parameter, float[]> assignments = new LinkedHashMap<>();
        Map<BatchNorm, Long> counters = new LinkedHashMap<>();
        for (Layer layer : model.layers()) {
            List<Parameter> expected = new ArrayList<>(layer.params());
            expected.addAll(layer.buffers());
            for (Parameter p : expected) {
                String name = layer.index() + "." + p.name();
                SafeTensors.Entry e = given.remove(name);
                if (e == null) {
                    problems.add("missing tensor '" + name + "' " + Shapes.toString(p.shape()) + " for "
                            + layer.where());
                } else if (!e.dtype().equals("F32")) {
                    problems.add("tensor '" + name + "' has dtype " + e.dtype() + ", expected F32");
                } else if (!Arrays.equals(e.shape(), p.shape())) {
                    problems.add("tensor '" + name + "' has shape " + Shapes.toString(e.shape()) + " but "
                            + layer.where() + " expects " + Shapes.toString(p.shape()));
                } else {
                    assignments.put(p, e.floats());
                }
            }
            if (layer instanceof BatchNorm bn) {
                SafeTensors.Entry e = given.remove(layer.index() + ".num_batches_tracked");
                if (e != null) {
                    if (!e.dtype().equals("I64") || e.elements() != 1) {
                        problems.add("tensor '" + e.name() + "' must be one I64 value");
                    } else {
                        counters.put(bn, e.longs()[0]);
                    }
                }
            }
        }
        for (String extra : given.keySet()) {
            problems.add("unexpected tensor '" + extra + "': the model has no such parameter");
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(file + ": does not fit the model: " + String.join("; ", problems));
        }
        assignments.forEach((p, values) -> p.storeShapeOrder(values, p.data()));
        counters.forEach(BatchNorm::setBatchesTracked);
    }
}
