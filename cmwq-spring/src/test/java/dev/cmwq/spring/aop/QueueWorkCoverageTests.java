package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

import dev.cmwq.annotation.QueueWork;
import org.junit.jupiter.api.Test;

import org.springframework.aop.MethodMatcher;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AopUtils;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.Lifecycle;
import org.springframework.javapoet.ClassName;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The advice and the ahead-of-time hints cover the same methods: every method a call on a proxy queues is invoked
 * reflectively on the worker and so needs a hint, and nothing else gets one.
 */
class QueueWorkCoverageTests {

	@Test
	void anAnnotatedClassCoversItsWorkButNotObjectMethodsOrContainerCallbacks() throws Exception {
		Set<Method> queued = adviceQueues(Jobs.class);
		assertThat(queued).containsExactlyInAnyOrder(Jobs.class.getMethod("accept", String.class),
				Jobs.class.getMethod("render", int.class));
		assertThat(hinted(Jobs.class)).isEqualTo(queued);
	}

	@Test
	void anAnnotatedGenericInterfaceMethodCoversItsImplementation() throws Exception {
		Set<Method> queued = adviceQueues(StringHandler.class);
		assertThat(queued).containsExactly(StringHandler.class.getMethod("handle", String.class));
		assertThat(hinted(StringHandler.class)).isEqualTo(queued);
	}

	/**
	 * The methods whose calls the advice queues, as the methods the interceptor invokes: the pointcut asked for every
	 * method a caller can reach through a class or interface proxy, bridges and {@code Object}'s methods included.
	 */
	private static Set<Method> adviceQueues(Class<?> targetClass) {
		Pointcut pointcut = new QueueWorkAdvisor(null).getPointcut();
		assertThat(pointcut.getClassFilter().matches(targetClass)).isTrue();
		MethodMatcher matcher = pointcut.getMethodMatcher();
		Set<Method> queued = new LinkedHashSet<>();
		for (Method method : callable(targetClass)) {
			if (matcher.matches(method, targetClass)) {
				queued.add(AopUtils.getMostSpecificMethod(method, targetClass));
			}
		}
		return queued;
	}

	/** The methods the ahead-of-time processor registers for invocation, among all the class could be called with. */
	private static Set<Method> hinted(Class<?> targetClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(targetClass));
		BeanRegistrationAotContribution contribution = new QueueWorkBeanRegistrationAotProcessor()
			.processAheadOfTime(RegisteredBean.of(beanFactory, "bean"));
		GenerationContext generationContext = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get(QueueWorkCoverageTests.class)), new InMemoryGeneratedFiles());
		if (contribution != null) {
			contribution.applyTo(generationContext, null);
		}
		RuntimeHints hints = generationContext.getRuntimeHints();
		Set<Method> hinted = new LinkedHashSet<>();
		for (Method method : callable(targetClass)) {
			if (RuntimeHintsPredicates.reflection().onMethodInvocation(method).test(hints)) {
				hinted.add(method);
			}
		}
		return hinted;
	}

	private static Set<Method> callable(Class<?> targetClass) {
		Set<Method> methods = new LinkedHashSet<>(Set.of(ReflectionUtils.getAllDeclaredMethods(targetClass)));
		for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(targetClass)) {
			methods.addAll(Set.of(type.getMethods()));
		}
		return methods;
	}

	/**
	 * Work on the class: its own methods, one a bridge target (accept(Object) bridges to accept(String)), beside the
	 * callbacks the container calls, an Object method and a default method inherited from the JDK (Consumer.andThen).
	 */
	@QueueWork("jobs")
	static class Jobs implements Consumer<String>, Lifecycle {

		@Override
		public void accept(String item) {
		}

		public void render(int size) {
		}

		protected void helper() {
		}

		@Override
		public void start() {
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

		@Override
		public String toString() {
			return "jobs";
		}

	}

	interface Handler<T> {

		@QueueWork("handlers")
		void handle(T item);

	}

	static class StringHandler implements Handler<String> {

		@Override
		public void handle(String item) {
		}

		public void other(String item) {
		}

	}

}
