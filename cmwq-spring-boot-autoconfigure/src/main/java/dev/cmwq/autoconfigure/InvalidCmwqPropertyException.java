package dev.cmwq.autoconfigure;

/**
 * Thrown at start-up when a {@code cmwq.*} property has a value the workqueue system cannot use. The message names
 * the property, the value and what would be valid.
 */
public class InvalidCmwqPropertyException extends IllegalStateException {

	private final String property;

	private final Object value;

	private final String reason;

	/**
	 * Creates the exception.
	 * @param property the property's path, such as {@code cmwq.workqueues.thumbnails.max-active}
	 * @param value the bad value
	 * @param reason what is wrong, and what would be valid
	 */
	public InvalidCmwqPropertyException(String property, Object value, String reason) {
		super("Invalid value '" + value + "' for property '" + property + "': " + reason);
		this.property = property;
		this.value = value;
		this.reason = reason;
	}

	/**
	 * The property's path.
	 * @return the path, such as {@code cmwq.workqueues.thumbnails.max-active}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * The bad value.
	 * @return the value
	 */
	public Object getValue() {
		return this.value;
	}

	/**
	 * What is wrong with the value.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

}
