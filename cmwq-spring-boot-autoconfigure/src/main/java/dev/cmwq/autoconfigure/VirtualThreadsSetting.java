package dev.cmwq.autoconfigure;

import java.util.Locale;

import dev.cmwq.core.VirtualThreadMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;

/**
 * Which threads run the workqueues' items: with {@code spring.threads.virtual.enabled=true} on JDK 21+ (Boot's
 * {@link Threading#VIRTUAL}), virtual threads in the mode {@code cmwq.virtual-threads.mode} picks ({@code scheduler},
 * the default, {@code managed}, or {@code off}); else platform threads. Logs the choice, and why, in one INFO line.
 */
final class VirtualThreadsSetting {

	static final String MODE_PROPERTY = "cmwq.virtual-threads.mode";

	private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadsSetting.class);

	private VirtualThreadsSetting() {
	}

	/** The mode in force for {@code environment}, logged. */
	static VirtualThreadMode resolve(Environment environment) {
		VirtualThreadMode mode = mode(environment);
		boolean requested = environment.getProperty("spring.threads.virtual.enabled", Boolean.class, false);
		if (!requested) {
			LOG.info("cmwq: workers are platform threads (spring.threads.virtual.enabled is not set)");
			return VirtualThreadMode.OFF;
		}
		if (!Threading.VIRTUAL.isActive(environment) || !VirtualThreadMode.isSupported()) {
			LOG.info("cmwq: workers are platform threads: spring.threads.virtual.enabled=true, but JDK {} has no "
					+ "virtual threads (JDK 21+)", Runtime.version().feature());
			return VirtualThreadMode.OFF;
		}
		switch (mode) {
			case OFF -> LOG.info("cmwq: workers are platform threads ({}=off)", MODE_PROPERTY);
			case MANAGED -> LOG.info("cmwq: items run on virtual threads, mode managed: cmwq's concurrency "
					+ "management and block detector decide when items start ({})", MODE_PROPERTY);
			case SCHEDULER -> LOG.info("cmwq: items run on virtual threads, mode scheduler: the JDK's scheduler "
					+ "manages concurrency, items start as max-active, ordering and freezing allow ({})",
					MODE_PROPERTY);
		}
		return mode;
	}

	/** {@code cmwq.virtual-threads.mode}: scheduler (default), managed or off, in any case. */
	private static VirtualThreadMode mode(Environment environment) {
		String value = environment.getProperty(MODE_PROPERTY);
		if (value == null || value.isBlank()) {
			return VirtualThreadMode.SCHEDULER;
		}
		try {
			return VirtualThreadMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCmwqPropertyException(MODE_PROPERTY, value, "use scheduler, managed or off");
		}
	}

}
