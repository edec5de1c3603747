// Image segmentation by EM, the case study of the EM literature (Carson et al.'s Blobworld clusters pixels by colour
// and position): every pixel of a picture is a point (x, y, r, g, b), `fit --batch` fits a Gaussian mixture to them,
// and each pixel is painted with the mean colour of its most probable component.
//
//   mvn -B -q package -DskipTests
//   java -cp target/online-em.jar examples/image-segmentation/Segment.java \
//        docs/astronaut.png docs/astronaut-segmented.png 6
//
// Arguments: the picture (PNG or JPEG), the segmented PNG to write, K (default 6). It prints fit's model and the
// share of the picture each segment covers.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onlineem.cli.Main;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import picocli.CommandLine;

public class Segment {
    public static void main(String[] args) throws Exception {
        Path in = Path.of(args.length > 0 ? args[0] : "docs/astronaut.png");
        Path out = Path.of(args.length > 1 ? args[1] : "docs/astronaut-segmented.png");
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        BufferedImage img = ImageIO.read(in.toFile());
        int w = img.getWidth();
        int h = img.getHeight();

        // 1. the pixels as a CSV file: position and colour
        Path csv = Files.createTempFile("pixels", ".csv");
        try (PrintWriter p = new PrintWriter(Files.newBufferedWriter(csv))) {
            p.println("x,y,r,g,b");
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    p.println(x + "," + y + "," + (rgb >> 16 & 255) + "," + (rgb >> 8 & 255) + "," + (rgb & 255));
                }
            }
        }

        // 2. fit, as on the command line: java -jar target/online-em.jar fit --input pixels.csv --k 6 --batch
        StringWriter json = new StringWriter();
        CommandLine fit = Main.commandLine();
        fit.setOut(new PrintWriter(json));
        int exit = fit.execute("fit", "--input", csv.toString(), "--k", String.valueOf(k), "--batch");
        Files.delete(csv);
        if (exit != 0) {
            throw new IllegalStateException("fit failed with exit code " + exit);
        }
        JsonNode model = new ObjectMapper().readTree(json.toString());
        System.out.println(json);

        // 3. each pixel's most probable component, from the printed weights, means and covariances
        int d = 5;
        double[] logWeight = new double[k];
        double[][] mean = new double[k][];
        DMatrixRMaj[] precision = new DMatrixRMaj[k];
        double[] logNorm = new double[k];
        for (int c = 0; c < k; c++) {
            logWeight[c] = Math.log(model.get("weights").get(c).asDouble());
            mean[c] = new double[d];
            DMatrixRMaj cov = new DMatrixRMaj(d, d);
            for (int i = 0; i < d; i++) {
                mean[c][i] = model.get("means").get(c).get(i).asDouble();
                for (int j = 0; j < d; j++) {
                    cov.set(i, j, model.get("covariances").get(c).get(i).get(j).asDouble());
                }
            }
            logNorm[c] = -0.5 * Math.log(CommonOps_DDRM.det(cov));
            precision[c] = new DMatrixRMaj(d, d);
            CommonOps_DDRM.invert(cov, precision[c]);
        }
        BufferedImage seg = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        long[] count = new long[k];
        double[] z = new double[d];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                double[] v = {x, y, rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255};
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    for (int i = 0; i < d; i++) {
                        z[i] = v[i] - mean[c][i];
                    }
                    double q = 0;
                    for (int i = 0; i < d; i++) {
                        for (int j = 0; j < d; j++) {
                            q += z[i] * precision[c].get(i, j) * z[j];
                        }
                    }
                    double score = logWeight[c] + logNorm[c] - 0.5 * q;
                    if (score > bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                count[best]++;
                int r = clamp(mean[best][2]);
                int g = clamp(mean[best][3]);
                int b = clamp(mean[best][4]);
                seg.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        ImageIO.write(seg, "png", out.toFile());
        System.out.printf("%s: %d x %d pixels in %d segments%n", out, w, h, k);
        for (int c = 0; c < k; c++) {
            System.out.printf("  segment %d: colour (%d, %d, %d), centre (%.0f, %.0f), %.1f%% of the pixels%n", c, clamp(mean[c][2]),
                    clamp(mean[c][3]), clamp(mean[c][4]), mean[c][0], mean[c][1], 100.0 * count[c] / ((long) w * h));
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
