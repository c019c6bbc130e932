package dev.cmwq.spring.durable;

import java.lang.reflect.Method;

/**
 * How the arguments of a durable call are stored: as one JSON text per call. {@link JacksonDurableArguments} uses the
 * application's Jackson {@code JsonMapper}; an application with another JSON library provides its own bean.
 */
public interface DurableArguments {

	/**
	 * Checks, at start-up, that every parameter of a durable method can be written and read back.
	 * @param method the method as declared on the bean's class
	 * @return what is wrong, completing "@QueueWork method m ...", such as "takes parameter 1 (Runnable), which JSON
	 * cannot carry: ...", or null if every parameter can be stored
	 */
	String check(Method method);

	/**
	 * Writes the arguments of a call.
	 * @param method the method as declared on the bean's class
	 * @param arguments the call's arguments
	 * @return the stored text
	 * @throws RuntimeException if an argument cannot be written
	 */
	String write(Method method, Object[] arguments);

	/**
	 * Reads stored arguments back.
	 * @param method the method as declared on the bean's class
	 * @param stored the text {@link #write} gave
	 * @return the arguments, one per parameter
	 * @throws RuntimeException if the text does not fit the method's parameters
	 */
	Object[] read(Method method, String stored);

}
