package dev.cmwq.sample.images;

/**
 * A rendered thumbnail.
 * @param imageId the image it shows
 * @param width its width in pixels
 * @param height its height in pixels
 * @param png the PNG bytes
 */
public record Thumbnail(long imageId, int width, int height, byte[] png) {

	/**
	 * @return the size of the PNG in bytes
	 */
	public int bytes() {
		return this.png.length;
	}

}
