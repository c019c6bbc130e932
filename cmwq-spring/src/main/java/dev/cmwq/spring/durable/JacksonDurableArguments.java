package dev.cmwq.spring.durable;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.AbstractDeserializer;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.bean.BeanDeserializerBase;

/**
 * Stores a durable call's arguments as a JSON array, one element per parameter, each written and read with its
 * parameter's declared (generic) type by a Jackson 3 {@link ObjectMapper}, normally the application's
 * {@code JsonMapper} bean, so its modules and settings apply.
 *
 * <p>The start-up check refuses parameters whose values JSON cannot bring back as what the method takes: declared
 * as {@code Object} (the value's class is lost), abstract without {@code @JsonTypeInfo} (JSON cannot say which class
 * to create), behaviour or resources rather than data ({@code Runnable}, {@code Callable}, {@code Future},
 * {@code Executor}, {@code AutoCloseable} such as streams and connections, {@code ClassLoader}), and classes Jackson
 * cannot create from a JSON object (no constructor without parameters and no {@code @JsonCreator}; records are
 * fine), looking into the elements of arrays, collections, maps and {@code Optional}s.
 */
public final class JacksonDurableArguments implements DurableArguments {

	private static final List<Class<?>> NOT_DATA = List.of(Runnable.class, Callable.class, Future.class,
			Executor.class, AutoCloseable.class, ClassLoader.class);

	private final ObjectMapper mapper;

	/**
	 * Creates the codec.
	 * @param mapper the mapper that writes and reads the arguments
	 */
	public JacksonDurableArguments(ObjectMapper mapper) {
		this.mapper = mapper;
	}

	@Override
	public String check(Method method) {
		Type[] types = method.getGenericParameterTypes();
		DeserializationContext context = this.mapper._deserializationContext();
		for (int i = 0; i < types.length; i++) {
			String problem = problem(this.mapper.constructType(types[i]), context);
			if (problem != null) {
				return "takes parameter " + (i + 1) + " (" + types[i].getTypeName() + "), which JSON cannot carry: "
						+ problem;
			}
		}
		return null;
	}

	private static String problem(JavaType type, DeserializationContext context) {
		if (type.isContainerType()) {
			return problem(type.getContentType(), context);
		}
		if (type.isReferenceType()) {
			return problem(type.getReferencedType(), context);
		}
		if (type.isJavaLangObject()) {
			return "declared as Object, the class of its value would be lost; declare the class it takes";
		}
		for (Class<?> notData : NOT_DATA) {
			if (notData.isAssignableFrom(type.getRawClass())) {
				return "a " + notData.getSimpleName() + " is behaviour or a resource, not data; pass what it needs "
						+ "instead";
			}
		}
		ValueDeserializer<Object> deserializer;
		try {
			deserializer = context.findRootValueDeserializer(type);
		}
		catch (JacksonException ex) {
			return "Jackson cannot read it: " + ex.getOriginalMessage();
		}
		if (deserializer instanceof AbstractDeserializer) {
			return "it is abstract without @JsonTypeInfo, so JSON cannot say which class to create; declare a "
					+ "concrete class, or annotate this type with @JsonTypeInfo";
		}
		if (deserializer instanceof BeanDeserializerBase bean && !fromObject(bean.getValueInstantiator())) {
			return "Jackson cannot create it from a JSON object: give it a constructor without parameters or a "
					+ "@JsonCreator constructor (records work as they are)";
		}
		return null;
	}

	private static boolean fromObject(ValueInstantiator instantiator) {
		return instantiator == null || instantiator.canCreateUsingDefault() || instantiator.canCreateFromObjectWith()
				|| instantiator.canCreateUsingDelegate() || instantiator.canCreateUsingArrayDelegate();
	}

	@Override
	public String write(Method method, Object[] arguments) {
		Type[] types = method.getGenericParameterTypes();
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < types.length; i++) {
			json.append((i > 0) ? "," : "")
				.append(this.mapper.writerFor(this.mapper.constructType(types[i])).writeValueAsString(arguments[i]));
		}
		return json.append(']').toString();
	}

	@Override
	public Object[] read(Method method, String stored) {
		Type[] types = method.getGenericParameterTypes();
		JsonNode array = this.mapper.readTree(stored);
		if (!array.isArray() || array.size() != types.length) {
			throw new IllegalArgumentException("Stored arguments " + abbreviate(stored) + " do not fit the "
					+ types.length + " parameters of " + method);
		}
		Object[] arguments = new Object[types.length];
		for (int i = 0; i < types.length; i++) {
			arguments[i] = this.mapper.treeToValue(array.get(i), this.mapper.constructType(types[i]));
		}
		return arguments;
	}

	private static String abbreviate(String text) {
		return (text.length() <= 200) ? text : text.substring(0, 200) + "...";
	}

}
