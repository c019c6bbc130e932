package dev.cmwq.spring.blocking;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import dev.cmwq.core.Blocking;
import org.aopalliance.intercept.MethodInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.aop.support.RootClassFilter;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Advises every {@link DataSource} bean so that getting a connection is a blocking section, and so are the
 * connection's database calls ({@link BlockingJdbc}), without changing the bean's type:
 * <ul>
 * <li>an AOP proxy gets the advice added;
 * <li>a bean of a public class is proxied by subclass, so it is still a {@code HikariDataSource} (say) to whatever
 * injects or unwraps it, Spring Boot's pool metrics and health included; every other call reaches the bean;
 * <li>a bean of a non-public class (which no one can name) is proxied by its interfaces;
 * <li>a bean of a final public class, or of one with public final methods (which a subclass proxy would run on
 * itself instead of the bean), is left as it is, without hints: {@link BlockingJdbc#dataSource(DataSource)} wraps it
 * where its users need only its interfaces.
 * </ul>
 * Which beans give hints, and which do not and why, is logged at INFO once the context's singletons exist (then for
 * each data source created later).
 */
public final class BlockingDataSourceBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
		implements SmartInitializingSingleton {

	private static final Logger logger = LoggerFactory.getLogger(BlockingDataSourceBeanPostProcessor.class);

	private final List<String> hinted = new ArrayList<>(); // guarded by this

	private boolean started; // guarded by this: whether the context's singletons exist (then log at once)

	public BlockingDataSourceBeanPostProcessor() {
		NameMatchMethodPointcut getConnection = new NameMatchMethodPointcut();
		getConnection.setMappedName("getConnection");
		MethodInterceptor interceptor = (invocation) -> {
			try (Blocking.Section ignored = Blocking.begin()) {
				return BlockingJdbc.connection((Connection) invocation.proceed());
			}
		};
		this.advisor = new DefaultPointcutAdvisor(
				new ComposablePointcut(new RootClassFilter(DataSource.class), getConnection), interceptor);
	}

	@Override
	protected boolean isEligible(Class<?> targetClass) {
		return super.isEligible(targetClass) && whyNotProxied(targetClass) == null;
	}

	@Override
	protected void customizeProxyFactory(ProxyFactory proxyFactory) {
		proxyFactory.setProxyTargetClass(Modifier.isPublic(proxyFactory.getTargetClass().getModifiers()));
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Object result = super.postProcessAfterInitialization(bean, beanName);
		if (bean instanceof DataSource) {
			report(beanName, bean, result);
		}
		return result;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> names;
		synchronized (this) {
			this.started = true;
			names = List.copyOf(this.hinted);
		}
		if (!names.isEmpty()) {
			logger.info("Blocking hints on for JDBC: in work items, DataSource beans {} mark their database calls",
					String.join(", ", names));
		}
	}

	private void report(String beanName, Object bean, Object result) {
		if (result != bean || BlockingJdbc.isWrapper(bean)
				|| (bean instanceof Advised advised && Arrays.asList(advised.getAdvisors()).contains(this.advisor))) {
			String name = "'" + beanName + "' (" + AopUtils.getTargetClass(bean).getName() + ")";
			synchronized (this) {
				if (!this.started) {
					this.hinted.add(name);
					return;
				}
			}
			logger.info("Blocking hints on for JDBC: in work items, DataSource bean {} marks its database calls", name);
		}
		else {
			String why = (bean instanceof Advised advised && advised.isFrozen()) ? "it is a frozen AOP proxy"
					: Objects.requireNonNullElse(whyNotProxied(AopUtils.getTargetClass(bean)), "it is not advised");
			logger.info("No blocking hints for JDBC from DataSource bean '{}' ({}): {}; wrap it with "
					+ "BlockingJdbc.dataSource(..) where DataSource is all its users need", beanName,
					AopUtils.getTargetClass(bean).getName(), why);
		}
	}

	/**
	 * Why a data source of this class cannot be proxied without changing what its users see.
	 * @param type the data source's class
	 * @return the reason, or null if it can be
	 */
	private static String whyNotProxied(Class<?> type) {
		if (!Modifier.isPublic(type.getModifiers())) {
			return null; // proxied by its interfaces: its class cannot be named outside its package
		}
		if (Modifier.isFinal(type.getModifiers())) {
			return "its class is final";
		}
		List<String> finals = Arrays.stream(type.getMethods())
			.filter((method) -> Modifier.isFinal(method.getModifiers()) && !Modifier.isStatic(method.getModifiers())
					&& method.getDeclaringClass() != Object.class)
			.map(Method::getName)
			.distinct()
			.toList();
		return finals.isEmpty() ? null
				: "its class has public final methods, which a subclass proxy cannot pass on: "
						+ String.join(", ", finals);
	}

}
