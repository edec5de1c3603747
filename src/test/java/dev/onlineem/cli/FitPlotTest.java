package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.serde.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FitPlotTest {
    @TempDir
    Path tmp;

    @Test
    void shouldPutEveryEllipsePointOnThe95PercentContourOfItsCovariance() {
        double[][] s = {{2.0, 1.2}, {1.2, 1.5}};
        double det = s[0][0] * s[1][1] - s[0][1] * s[1][0];
        double[] e = FitPlot.ellipse(1, -2, s[0][0], s[0][1], s[1][1]);
        for (int p = 0; p < e.length; p += 2) {
            double dx = e[p] - 1, dy = e[p + 1] + 2;
            // (x - m)' S^-1 (x - m), with S^-1 = [[d, -b], [-b, a]] / det
            double q = (s[1][1] * dx * dx - 2 * s[0][1] * dx * dy + s[0][0] * dy * dy) / det;
            assertEquals(FitPlot.CHI2_95_2D, q, 1e-9, "point " + p / 2);
        }
    }

    @Test
    void shouldDrawTheDataEachComponentAndTheTraceOfAnOnlineFit() throws Exception {
        Path svg = tmp.resolve("faithful.svg");
        FitCommandTest.Output o = FitCommandTest.run("fit", "--k", "2", "--passes", "3", "--shuffle", "--input", FitCommandTest.FAITHFUL.toString(),
                "--plot", svg.toString(), "--plot-columns", "waiting,eruptions");
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()); // well-formed XML
        NodeList paths = doc.getElementsByTagName("path");
        int components = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            if ("component".equals(((Element) paths.item(i)).getAttribute("class"))) {
                components++;
            }
        }
        assertEquals(fit.get("components").asInt(), components);
        assertEquals(272, doc.getElementsByTagName("circle").getLength(), "every row drawn");
        Element trace = (Element) doc.getElementsByTagName("polyline").item(0);
        assertTrue(trace.getAttribute("points").split(" ").length >= 10, "the trace has its blocks");
        assertTrue(Files.readString(svg).contains(String.format(java.util.Locale.ROOT, "%.4f", fit.get("avgLogLikelihood").asDouble())),
                "the final average log-likelihood is written on the trace");
    }

    @Test
    void shouldRejectPlotColumnsThatAreNotModelled() {
        FitCommandTest.Output o = FitCommandTest.run("fit", "--input", FitCommandTest.FAITHFUL.toString(), "--plot", tmp.resolve("x.svg").toString(),
                "--plot-columns", "waiting,height");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("--plot-columns: height is not one of the modelled columns"), o.err());
    }
}
