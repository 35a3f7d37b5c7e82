package org.epochal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in a real browser: headless Chromium (Debian's chromium, which .ci/run installs) takes a
 * screenshot, and the charts must have drawn: pixels of the batch-loss line's colour and of the orange
 * finding marker. Without Chromium on a developer machine the test is skipped; under CI it must run.
 */
class ReportRenderTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path tmp;

    @Test
    void chartsRenderInHeadlessChromium() throws Exception {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not installed (CI installs it)");
        }
        assertTrue(Files.isExecutable(CHROMIUM), "CI must have Debian's chromium (.ci/run installs it)");
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("train", TrainCommandTest.example("scenarios/noise-from-epoch3-digits.yaml").toString(),
                "--out", run.toString(), "--quiet").exit());
        Path png = tmp.resolve("report.png");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + tmp.resolve("profile"), "--hide-scrollbars",
                "--window-size=1000,1400", "--screenshot=" + png, run.resolve("report.html").toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished");
        assertTrue(Files.size(png) > 10_000, "a screenshot was written: " + Files.readString(tmp.resolve("chromium.log")));
        BufferedImage image = ImageIO.read(png.toFile());
        int blue = count(image, 0x1f, 0x77, 0xb4);
        int orange = count(image, 0xe6, 0x95, 0x00);
        assertTrue(blue > 500, "the loss curves were drawn (" + blue + " pixels)");
        assertTrue(orange > 20, "the finding is marked on the batch chart (" + orange + " pixels)");
    }

    private static int count(BufferedImage image, int r, int g, int b) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 255) - r) < 24 && Math.abs(((rgb >> 8) & 255) - g) < 24
                        && Math.abs((rgb & 255) - b) < 24) {
                    n++;
                }
            }
        }
        return n;
    }
}
