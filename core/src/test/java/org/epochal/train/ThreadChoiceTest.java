package org.epochal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.epochal.config.Experiment;
import org.epochal.config.ExperimentBuilder;
import org.epochal.layer.Parameter;
import org.epochal.layer.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadChoiceTest {
    @TempDir
    Path tmp;

    /** Runs {@code steps} steps, each taking {@code allNanos} on all threads and {@code oneNanos} on one. */
    private static List<Boolean> run(ThreadChoice c, int steps, long allNanos, long oneNanos) {
        List<Boolean> settings = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            boolean all = c.allThreads();
            settings.add(all);
            c.stepTook(all ? allNanos : oneNanos);
        }
        return settings;
    }

    @Test
    void keepsAllThreadsWhileTheyAreFasterProbingOneNowAndThen() {
        List<Boolean> s = run(new ThreadChoice(2, 10), 40, 100, 150);
        // steps 4-5 (after two windows) and then every 12 steps two on one thread, to compare
        for (int i = 0; i < s.size(); i++) {
            boolean probe = i >= 4 && (i - 4) % 12 < 2;
            assertEquals(!probe, s.get(i), "step " + i);
        }
    }

    @Test
    void movesToOneThreadWhenItIsFasterAndBackWhenItIsNot() {
        ThreadChoice c = new ThreadChoice(2, 10);
        List<Boolean> s = run(c, 20, 130, 100);
        assertFalse(s.get(19), "one thread after the first comparison");
        assertEquals(1, c.switches());
        run(c, 40, 100, 150); // all threads faster again: its probe wins it back
        assertTrue(c.allThreads());
        assertEquals(2, c.switches());
    }

    @Test
    void oneThreadMustWinBy20PercentAllThreadsBy5() {
        ThreadChoice c = new ThreadChoice(2, 10);
        run(c, 100, 100, 82);
        assertEquals(0, c.switches(), "one thread 18% faster: all threads kept");
        run(c, 12, 100, 79);
        assertEquals(1, c.switches());
        run(c, 100, 97, 100);
        assertEquals(1, c.switches(), "all threads 3% faster: one thread kept");
    }

    /** A chooser that changes the setting every step, as no timing would. */
    private static final class EveryStep extends ThreadChoice {
        private boolean all;
        int steps;

        @Override
        boolean allThreads() {
            return all;
        }

        @Override
        void stepTook(long nanos) {
            all = !all;
            steps++;
        }
    }

    @Test
    void switchingThreadsBetweenStepsGivesOneThreadsBits() {
        // batch 40 with Adam: the optimizer's step is split between the threads (from batch 32)
        Experiment exp = new ExperimentBuilder("t").seed(1).epochs(2) // consulted from epoch 2
                .train("format", "synthetic", "kind", "blobs", "samples", 400, "features", 8, "classes", 3, "seed", 2)
                .batchSize(40).input(8).layer("linear", "out", 64).layer("relu").layer("linear", "out", 3)
                .loss("cross_entropy").optimizer("adam", "lr", 0.01).build(tmp);
        List<float[]> one = train(exp, 1, null);
        EveryStep chooser = new EveryStep();
        List<float[]> switching = train(exp, 2, chooser);
        assertEquals(10 - 1, chooser.steps, "timed steps: the second epoch's, but its last");
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), switching.get(i), "parameter " + i);
        }
    }

    private static List<float[]> train(Experiment exp, int threads, ThreadChoice chooser) {
        Sequential model = exp.buildModel();
        TrainingData data = TrainingData.load(exp, model.inputShape(), 3);
        try (Trainer trainer = new Trainer(exp, data, model, threads)) {
            trainer.chooseThreads(chooser).fit();
        }
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.params()) {
            out.add(p.data().clone());
        }
        return out;
    }
}
