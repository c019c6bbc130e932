package dev.cmwq.sample.images;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.imageio.ImageIO;

import dev.cmwq.annotation.QueueWork;

import org.springframework.stereotype.Service;

/**
 * Renders thumbnails of uploaded images on the {@code thumbnails} workqueue ({@code cpu-intensive}: the items keep a
 * CPU busy, so they should not hold back other work of their pool).
 *
 * <p>The "uploaded image" is drawn from its id (the sample has no storage), then scaled down and encoded as PNG:
 * real CPU work, a few tens of milliseconds.
 */
@Service
public class Thumbnails {

	static final int SOURCE_WIDTH = 640;

	static final int SOURCE_HEIGHT = 480;

	static final int WIDTH = 160;

	static final int HEIGHT = 120;

	private static final int KEPT = 200;

	// the most recent thumbnails; guarded by itself
	private final Map<Long, Thumbnail> rendered = Collections.synchronizedMap(new LinkedHashMap<>(KEPT, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Long, Thumbnail> eldest) {
			return size() > KEPT;
		}
	});

	/**
	 * Renders an image's thumbnail.
	 * @param imageId the image
	 * @return the thumbnail, once rendered
	 */
	@QueueWork("thumbnails")
	public CompletableFuture<Thumbnail> render(long imageId) {
		BufferedImage source = draw(imageId);
		BufferedImage small = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D graphics = small.createGraphics();
		try {
			graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
			graphics.drawImage(source, 0, 0, WIDTH, HEIGHT, null);
		}
		finally {
			graphics.dispose();
		}
		Thumbnail thumbnail = new Thumbnail(imageId, WIDTH, HEIGHT, png(small));
		this.rendered.put(imageId, thumbnail);
		return CompletableFuture.completedFuture(thumbnail);
	}

	/**
	 * A thumbnail rendered recently.
	 * @param imageId the image
	 * @return its thumbnail, if rendered and still kept
	 */
	public Optional<Thumbnail> find(long imageId) {
		return Optional.ofNullable(this.rendered.get(imageId));
	}

	/** Draws a colourful interference pattern that depends on the id: stands in for decoding an upload. */
	private static BufferedImage draw(long imageId) {
		BufferedImage image = new BufferedImage(SOURCE_WIDTH, SOURCE_HEIGHT, BufferedImage.TYPE_INT_RGB);
		double fx = 0.01 + (imageId % 7) * 0.004;
		double fy = 0.012 + (imageId % 5) * 0.003;
		double cx = SOURCE_WIDTH * ((imageId % 3) + 1) / 4.0;
		double cy = SOURCE_HEIGHT / 2.0;
		for (int y = 0; y < SOURCE_HEIGHT; y++) {
			for (int x = 0; x < SOURCE_WIDTH; x++) {
				double ring = Math.sin(Math.hypot(x - cx, y - cy) * 0.05);
				double wave = Math.sin(x * fx) * Math.cos(y * fy);
				int r = (int) (127.5 * (1 + ring));
				int g = (int) (127.5 * (1 + wave));
				int b = (int) (127.5 * (1 + ring * wave));
				image.setRGB(x, y, (r << 16) | (g << 8) | b);
			}
		}
		return image;
	}

	private static byte[] png(BufferedImage image) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try {
			ImageIO.write(image, "png", out);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

}
