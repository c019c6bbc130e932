package dev.cmwq.spring.aop;

/**
 * Thrown at start-up (or at the first call, for a lazy bean) when a {@code @QueueWork} method cannot be queued: its
 * return type, workqueue, CPU, delay or key is wrong. The message names the method.
 */
public class InvalidQueueWorkMethodException extends IllegalStateException {

	private final String method;

	/**
	 * Creates the exception.
	 * @param method the method, such as {@code com.example.Images.render(long)}
	 * @param problem what is wrong with it, after "@QueueWork method m "
	 * @param cause the underlying failure, or null
	 */
	InvalidQueueWorkMethodException(String method, String problem, Throwable cause) {
		super("@QueueWork method " + method + " " + problem, cause);
		this.method = method;
	}

	/**
	 * The method.
	 * @return its description, such as {@code com.example.Images.render(long)}
	 */
	public String getMethod() {
		return this.method;
	}

}
