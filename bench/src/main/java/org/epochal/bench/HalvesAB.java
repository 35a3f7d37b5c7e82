package org.epochal.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.epochal.kernel.Parallel;
import org.epochal.layer.Sequential;
import org.epochal.loss.CrossEntropy;
import org.epochal.tensor.Tensor;

/**
 * A training step by halves of the batch (Sequential#trainByHalves) against the whole step (forward, loss,
 * backward), in one process, switching every two steps so that a neighbour on the host slows both alike:
 * {@code bench/run-main HalvesAB cnn 64 2 [steps]} prints each one's median step and µs per layer. Without the
 * optimizer: the same in both.
 */
public final class HalvesAB {
    private HalvesAB() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "cnn";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        Sequential[] nets = {LayerBench.build(model), LayerBench.build(model)};
        CrossEntropy loss = new CrossEntropy();
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = Tensor.batch(batch, nets[0].inputShape());
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextDouble();
        }
        Tensor y = new Tensor(batch);
        for (int i = 0; i < batch; i++) {
            y.data()[i] = r.nextInt(10);
        }
        long[][] nanos = new long[2][steps];
        int[] count = new int[2];
        try (Parallel parallel = new Parallel(threads)) {
            for (Sequential net : nets) {
                net.initialize(1);
                net.setParallel(parallel);
            }
            for (int s = 0; s < 2 * steps; s++) {
                int v = (s / 2) & 1;
                boolean warm = s >= steps / 2;
                if (s == steps / 2) {
                    nets[0].timeLayers(true);
                    nets[1].timeLayers(true);
                }
                Sequential net = nets[v];
                long start = System.nanoTime();
                net.zeroGrad();
                if (v == 0) {
                    Tensor out = net.forward(x, true);
                    loss.compute(out, y, true);
                    net.backward(loss.gradient());
                } else {
                    net.trainByHalves(x, y, loss);
                }
                long took = System.nanoTime() - start;
                if (warm) {
                    nanos[v][count[v]++] = took;
                }
            }
        }
        String[] names = {"whole ", "halves"};
        for (int v = 0; v < 2; v++) {
            long[] sorted = Arrays.copyOf(nanos[v], count[v]);
            Arrays.sort(sorted);
            System.out.printf("%s median %.1f µs over %d steps;%s%n", names[v], sorted[sorted.length / 2] / 1e3,
                    count[v], nets[v].layerTimes(count[v]));
        }
        System.out.printf("halves/whole median %.3f (%s, batch %d, %d threads)%n",
                median(nanos[1], count[1]) / median(nanos[0], count[0]), model, batch, threads);
    }

    private static double median(long[] values, int n) {
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }
}
