package org.epochal.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.epochal.init.Init;
import org.epochal.layer.AvgPool2d;
import org.epochal.layer.BatchNorm;
import org.epochal.layer.Conv2d;
import org.epochal.layer.Dropout;
import org.epochal.layer.Flatten;
import org.epochal.layer.Gelu;
import org.epochal.layer.Layer;
import org.epochal.layer.LayerNorm;
import org.epochal.layer.LeakyReLU;
import org.epochal.layer.Linear;
import org.epochal.layer.MaxPool2d;
import org.epochal.layer.ReLU;
import org.epochal.layer.Sigmoid;
import org.epochal.layer.Tanh;

/**
 * Builds a layer from its experiment-file entry ({type: linear, out: 10, init: {...}}), with PyTorch's
 * defaults. To add a layer kind: write the class in org.epochal.layer and add a case here.
 */
public final class Layers {
    private Layers() {
    }

    /** A new layer and, through {@code resolvedOut}, its entry with every default filled. */
    public static Layer create(Object entry, Map<String, Object> resolvedOut) {
        Options o = Options.of(entry, "");
        String type = o.string("type");
        Layer layer = switch (type) {
            case "linear" -> {
                Layer l = new Linear(positive(o, "out"), o.bool("bias", true));
                o.finish("type", "out", "bias", "init");
                yield l;
            }
            case "conv2d" -> {
                int[] k = pair(o, "kernel", null);
                int[] s = pair(o, "stride", new int[] {1, 1});
                int[] p = pair(o, "padding", new int[] {0, 0});
                Layer l = new Conv2d(positive(o, "out"), k[0], k[1], s[0], s[1], p[0], p[1], o.bool("bias", true));
                o.finish("type", "out", "kernel", "stride", "padding", "bias", "init");
                yield l;
            }
            case "maxpool2d", "avgpool2d" -> {
                int kernel = positive(o, "kernel");
                int stride = o.has("stride") ? positive(o, "stride") : o.put("stride", kernel);
                o.finish("type", "kernel", "stride");
                yield type.equals("maxpool2d") ? new MaxPool2d(kernel, stride) : new AvgPool2d(kernel, stride);
            }
            case "flatten" -> simple(o, new Flatten());
            case "relu" -> simple(o, new ReLU());
            case "sigmoid" -> simple(o, new Sigmoid());
            case "tanh" -> simple(o, new Tanh());
            case "gelu" -> simple(o, new Gelu());
            case "leaky_relu" -> {
                Layer l = new LeakyReLU(o.number("slope", 0.01));
                o.finish("type", "slope");
                yield l;
            }
            case "dropout" -> {
                double p = o.number("p", 0.5);
                if (!(p >= 0 && p <= 1)) {
                    throw new ConfigException("p", "expected a probability in [0, 1], got " + p);
                }
                o.finish("type", "p");
                yield new Dropout(p);
            }
            case "batchnorm" -> {
                o.finish("type", "init");
                yield new BatchNorm();
            }
            case "layernorm" -> {
                o.finish("type", "init");
                yield new LayerNorm();
            }
            default -> throw new ConfigException("type", "unknown layer type '" + type + "' (expected one of: linear,"
                    + " conv2d, maxpool2d, avgpool2d, flatten, relu, leaky_relu, sigmoid, tanh, gelu, dropout,"
                    + " batchnorm, layernorm)");
        };
        if (o.has("init")) {
            Options init = o.child("init");
            Map<String, Object> resolvedInit = new LinkedHashMap<>();
            Init weight = initOf(init, "weight", resolvedInit);
            Init bias = initOf(init, "bias", resolvedInit);
            try {
                init.finish("weight", "bias");
            } catch (ConfigException e) {
                throw e.under("init");
            }
            layer.setInit(weight, bias);
            o.put("init", resolvedInit);
        }
        resolvedOut.putAll(o.resolved());
        return layer;
    }

    private static Layer simple(Options o, Layer layer) {
        o.finish("type");
        return layer;
    }

    private static int positive(Options o, String key) {
        int v = o.integer(key);
        if (v < 1) {
            throw new ConfigException(key, "expected a positive integer, got " + v);
        }
        return v;
    }

    /** An int, or a list of two ints [height, width]; null fallback means required. */
    private static int[] pair(Options o, String key, int[] fallback) {
        if (!o.has(key)) {
            if (fallback == null) {
                throw new ConfigException(key, "is required");
            }
            o.put(key, fallback[0] == fallback[1] ? (Object) fallback[0] : java.util.List.of(fallback[0], fallback[1]));
            return fallback;
        }
        int[] v = o.integers(key);
        if (v.length == 1) {
            o.put(key, v[0]);
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new ConfigException(key, "expected an integer or [height, width], got " + v.length + " values");
        }
        return v;
    }

    /** init.weight / init.bias: a name, or {type: normal, std}, {type: uniform, low, high}, {type: constant, value}. */
    private static Init initOf(Options init, String key, Map<String, Object> resolved) {
        Object v = init.raw(key);
        String path = "init." + key;
        if (v == null) {
            resolved.put(key, "default");
            return Init.DEFAULT;
        }
        if (v instanceof String name) {
            Init named = Init.named(name);
            if (named == null || named == Init.ONES) {
                throw new ConfigException(path, "unknown initialisation '" + name + "' (expected default,"
                        + " kaiming_uniform, kaiming_normal, xavier_uniform, xavier_normal, zeros, or a mapping"
                        + " {type: normal, std} / {type: uniform, low, high} / {type: constant, value})");
            }
            resolved.put(key, name);
            return named;
        }
        try {
            Options o = Options.of(v, "");
            String type = o.choice("type", null, "normal", "uniform", "constant");
            if (type == null) {
                throw new ConfigException("type", "is required (normal, uniform or constant)");
            }
            Init result = switch (type) {
                case "normal" -> {
                    double mean = o.number("mean", 0.0);
                    double std = o.number("std");
                    if (!(std >= 0)) {
                        throw new ConfigException("std", "expected a standard deviation >= 0, got " + std);
                    }
                    o.finish("type", "mean", "std");
                    yield Init.normal(mean, std);
                }
                case "uniform" -> {
                    double low = o.number("low");
                    double high = o.number("high");
                    if (!(high >= low)) {
                        throw new ConfigException("high", "expected high >= low, got low " + low + ", high " + high);
                    }
                    o.finish("type", "low", "high");
                    yield Init.uniform(low, high);
                }
                default -> {
                    double value = o.number("value");
                    o.finish("type", "value");
                    yield Init.constant(value);
                }
            };
            resolved.put(key, o.resolved());
            return result;
        } catch (ConfigException e) {
            throw e.under(path);
        }
    }
}
