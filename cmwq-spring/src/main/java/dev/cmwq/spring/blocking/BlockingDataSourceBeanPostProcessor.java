package dev.cmwq.spring.blocking;

import java.lang.reflect.Modifier;
import java.sql.Connection;

import javax.sql.DataSource;

import dev.cmwq.core.Blocking;
import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.aop.support.RootClassFilter;

/**
 * Advises every {@link DataSource} bean so that getting a connection is a blocking section, and the connection's
 * database calls are too ({@link BlockingJdbc}). Existing proxies get the advice added; other data sources are
 * proxied by subclass where their class allows it (so that they can still be injected as, say,
 * {@code HikariDataSource}), else by their interfaces.
 */
public final class BlockingDataSourceBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

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
	protected ProxyFactory prepareProxyFactory(Object bean, String beanName) {
		ProxyFactory factory = super.prepareProxyFactory(bean, beanName);
		int modifiers = bean.getClass().getModifiers();
		factory.setProxyTargetClass(Modifier.isPublic(modifiers) && !Modifier.isFinal(modifiers));
		return factory;
	}

}
