package org.epochal.config;

import java.util.List;
import java.util.Map;
import org.epochal.layer.Parameter;
import org.epochal.optim.Adam;
import org.epochal.optim.Optimizer;
import org.epochal.optim.RmsProp;
import org.epochal.optim.Sgd;

/**
 * Builds an optimizer from its experiment-file entry with PyTorch's defaults (current PyTorch: SGD's lr
 * defaults to 1e-3). To add an optimizer: write the class in org.epochal.optim and add a case here.
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** Validates the entry and returns it with every default filled in (no parameters needed). */
    public static Map<String, Object> resolve(Object entry) {
        return build(entry, null, true).resolved;
    }

    public static Optimizer create(Object entry, List<Parameter> params) {
        return build(entry, params, false).optimizer;
    }

    private record Built(Optimizer optimizer, Map<String, Object> resolved) {
    }

    private static Built build(Object entry, List<Parameter> params, boolean dryRun) {
        Options o = Options.of(entry, "");
        String type = o.choice("type", null, "sgd", "adam", "adamw", "rmsprop");
        if (type == null) {
            throw new ConfigException("type", "is required (sgd, adam, adamw or rmsprop)");
        }
        List<Parameter> p = dryRun ? List.of() : params;
        Optimizer optimizer;
        try {
            switch (type) {
                case "sgd" -> {
                    double lr = lr(o, 1e-3);
                    double momentum = nonNegative(o, "momentum", 0);
                    double dampening = nonNegative(o, "dampening", 0);
                    double wd = nonNegative(o, "weight_decay", 0);
                    boolean nesterov = o.bool("nesterov", false);
                    o.finish("type", "lr", "momentum", "dampening", "weight_decay", "nesterov");
                    optimizer = new Sgd(p, lr, momentum, dampening, wd, nesterov);
                }
                case "adam", "adamw" -> {
                    double lr = lr(o, 1e-3);
                    double[] betas = betas(o);
                    double eps = nonNegative(o, "eps", 1e-8);
                    double wd = nonNegative(o, "weight_decay", type.equals("adamw") ? 1e-2 : 0);
                    o.finish("type", "lr", "betas", "eps", "weight_decay");
                    optimizer = new Adam(p, lr, betas[0], betas[1], eps, wd, type.equals("adamw"));
                }
                default -> {
                    double lr = lr(o, 1e-2);
                    double alpha = nonNegative(o, "alpha", 0.99);
                    double eps = nonNegative(o, "eps", 1e-8);
                    double momentum = nonNegative(o, "momentum", 0);
                    boolean centered = o.bool("centered", false);
                    double wd = nonNegative(o, "weight_decay", 0);
                    o.finish("type", "lr", "alpha", "eps", "momentum", "centered", "weight_decay");
                    optimizer = new RmsProp(p, lr, alpha, eps, wd, momentum, centered);
                }
            }
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("", e.getMessage());
        }
        return new Built(optimizer, o.resolved());
    }

    private static double lr(Options o, double fallback) {
        double lr = o.number("lr", fallback);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new ConfigException("lr", "expected a learning rate >= 0, got " + lr);
        }
        return lr;
    }

    private static double nonNegative(Options o, String key, double fallback) {
        double v = o.number(key, fallback);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ConfigException(key, "expected a finite number >= 0, got " + v);
        }
        return v;
    }

    private static double[] betas(Options o) {
        Object raw = o.raw("betas");
        if (raw == null) {
            o.put("betas", List.of(0.9, 0.999));
            return new double[] {0.9, 0.999};
        }
        if (!(raw instanceof List<?> list) || list.size() != 2 || !(list.get(0) instanceof Number b1)
                || !(list.get(1) instanceof Number b2)) {
            throw new ConfigException("betas", "expected a list of two numbers [beta1, beta2], got " + Options.describe(raw));
        }
        double[] betas = {b1.doubleValue(), b2.doubleValue()};
        for (int i = 0; i < 2; i++) {
            if (!(betas[i] >= 0 && betas[i] < 1)) {
                throw new ConfigException("betas." + i, "expected a number in [0, 1), got " + betas[i]);
            }
        }
        o.put("betas", List.of(betas[0], betas[1]));
        return betas;
    }
}
