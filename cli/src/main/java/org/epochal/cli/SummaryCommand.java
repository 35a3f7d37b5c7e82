package org.epochal.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.epochal.config.Experiment;
import org.epochal.layer.Layer;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.epochal.tensor.Shapes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `epochal summary CONFIG`: layers, output shapes and parameter counts, like Keras' model.summary(). */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Show the model of CONFIG layer by layer.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG")
    Path config;

    @Override
    public Integer call() {
        Experiment exp = ExperimentFile.load(config).read();
        Sequential model = exp.buildModel();
        System.out.printf(Locale.ROOT, "Model \"%s\"  input %s%n", exp.name(), Shapes.toString(model.inputShape()));
        System.out.printf(Locale.ROOT, "%-4s %-22s %-18s %12s%n", "#", "Layer", "Output shape", "Params");
        System.out.println("-".repeat(60));
        for (Layer layer : model.layers()) {
            int params = layer.params().stream().mapToInt(Parameter::size).sum();
            System.out.printf(Locale.ROOT, "%-4d %-22s %-18s %,12d%n", layer.index(), describe(layer),
                    Shapes.toString(layer.outputShape()), params);
        }
        System.out.println("-".repeat(60));
        System.out.printf(Locale.ROOT, "Total params: %,d (%s as float32)%n", model.parameterCount(),
                bytes(4L * model.parameterCount()));
        return 0;
    }

    private static String describe(Layer layer) {
        if (layer instanceof org.epochal.layer.BatchNorm bn) {
            return "batchnorm (" + bn.pytorchName() + ")";
        }
        return layer.type();
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", n / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
}
