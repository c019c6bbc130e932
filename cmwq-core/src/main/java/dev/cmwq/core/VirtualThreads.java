package dev.cmwq.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads (JDK 21+) for an engine compiled with {@code --release 17}: looked up reflectively once.
 */
final class VirtualThreads {

	/** {@code Thread.isVirtual()}, or null before JDK 21. */
	private static final MethodHandle IS_VIRTUAL;

	/** {@code Thread.ofVirtual()}, or null before JDK 21. */
	private static final Method OF_VIRTUAL;

	static final boolean SUPPORTED;

	static {
		MethodHandle isVirtual = null;
		Method ofVirtual = null;
		try {
			isVirtual = MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
			ofVirtual = Thread.class.getMethod("ofVirtual");
		}
		catch (ReflectiveOperationException ex) {
			isVirtual = null; // JDK 17 to 20
			ofVirtual = null;
		}
		IS_VIRTUAL = isVirtual;
		OF_VIRTUAL = ofVirtual;
		SUPPORTED = isVirtual != null && ofVirtual != null && Runtime.version().feature() >= 21; // 19, 20: preview
	}

	private VirtualThreads() {
	}

	/**
	 * A factory of unstarted virtual threads that do not inherit the creator's inheritable thread locals (workers
	 * are created by whichever thread queues first; its context is not theirs): {@code
	 * Thread.ofVirtual().inheritInheritableThreadLocals(false).factory()}.
	 * @throws UnsupportedOperationException before JDK 21
	 */
	static ThreadFactory factory() {
		if (!SUPPORTED) {
			throw new UnsupportedOperationException("Virtual threads need JDK 21 or later; this is JDK "
					+ Runtime.version().feature());
		}
		try {
			Object builder = OF_VIRTUAL.invoke(null);
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			builder = builderType.getMethod("inheritInheritableThreadLocals", boolean.class).invoke(builder, false);
			return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Could not make a virtual thread factory", ex);
		}
	}

	/** Whether {@code thread} is a virtual thread (false before JDK 21). */
	static boolean isVirtual(Thread thread) {
		if (IS_VIRTUAL == null) {
			return false;
		}
		try {
			return (boolean) IS_VIRTUAL.invokeExact(thread);
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex); // Thread.isVirtual() throws nothing
		}
	}

}
