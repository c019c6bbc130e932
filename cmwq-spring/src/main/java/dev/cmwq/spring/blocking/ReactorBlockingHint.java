package dev.cmwq.spring.blocking;

import java.util.function.Predicate;

import dev.cmwq.core.Blocking;
import reactor.core.scheduler.Schedulers;

/**
 * Makes Reactor's blocking calls ({@code Mono.block()}, {@code Mono.blockOptional()}, {@code Flux.blockFirst()},
 * {@code Flux.blockLast()}, with or without a timeout, and the {@code hasNext()} of {@code Flux.toIterable()} /
 * {@code toStream()}), and so a {@code WebClient} call ending in {@code block()}, announce themselves with
 * {@link Blocking#expect()} when they run in a work item, so that the pool starts its next item at once instead of
 * waiting for the block detector.
 * <p>
 * How: each of those calls asks {@link Schedulers#isInNonBlockingThread()} right before it waits (to refuse blocking
 * on a Reactor event loop). That consults the predicates registered with
 * {@link Schedulers#registerNonBlockingThreadPredicate}; this class registers one that calls
 * {@link Blocking#expect()} and answers {@code false}, so it never forbids a block. Reactor combines predicates with
 * {@link Predicate#or}, so this one runs only when no predicate registered before it has already refused the block.
 * <p>
 * Reactor can take a predicate away only by resetting all of them ({@link Schedulers#resetNonBlockingThreadPredicate()}),
 * which would also drop the ones other libraries or the application registered. So this class registers
 * its predicate at most once per class loader and never resets: {@link #register()} and closing the returned
 * registration switch it on and off; while no registration is open it costs Reactor one volatile read per blocking
 * call. If something resets Reactor's predicates, the next {@link #register()} notices and registers again.
 * <p>
 * What it does not cover: a {@code block()} whose result is already there does not wait, but is announced all the
 * same (Reactor asks before it looks); that costs at most one block-detector scan of extra concurrency. Sources that
 * run their work on the caller's thread ({@code Mono.just}, {@code Mono.fromCallable(..).block()}) do not ask and are
 * not announced. Waiting on a {@code CompletableFuture} from {@code toFuture()} does not go through Reactor.
 * <p>
 * The blocking-hints auto-configuration registers it while the application context runs (off with
 * {@code cmwq.blocking-hints.enabled=false}); code without Spring calls {@link #register()} itself. It applies to
 * every workqueue system in the class loader.
 */
public final class ReactorBlockingHint {

	private static final Object LOCK = new Object();

	/** Never started: recognised by the predicate, to find out whether Reactor still holds it. */
	private static final Thread PROBE = new Thread(() -> {
	}, "cmwq-reactor-blocking-hint-probe");

	private static final Predicate<Thread> PREDICATE = ReactorBlockingHint::test;

	/** Open registrations; written under LOCK. */
	private static volatile int registrations;

	/** Set by the predicate when it sees {@link #PROBE}; under LOCK. */
	private static boolean probeSeen;

	private ReactorBlockingHint() {
	}

	/**
	 * Switches the hint on until the returned registration is closed (registrations nest: it is on while any is
	 * open).
	 * @return the registration, to close when the hint is no longer wanted
	 */
	public static Registration register() {
		synchronized (LOCK) {
			if (!heldByReactor()) {
				Schedulers.registerNonBlockingThreadPredicate(PREDICATE);
			}
			registrations++;
		}
		return new Registration();
	}

	/**
	 * Whether a registration is open.
	 * @return whether Reactor's blocking calls in work items are announced
	 */
	public static boolean isActive() {
		return registrations > 0 && heldByReactorLocked();
	}

	private static boolean heldByReactorLocked() {
		synchronized (LOCK) {
			return heldByReactor();
		}
	}

	/** LOCK. */
	private static boolean heldByReactor() {
		probeSeen = false;
		Schedulers.isNonBlockingThread(PROBE);
		return probeSeen;
	}

	private static boolean test(Thread thread) {
		if (registrations > 0 && thread == Thread.currentThread()) {
			Blocking.expect();
		}
		else if (thread == PROBE) {
			probeSeen = true;
		}
		return false;
	}

	/** An open registration of the hint; closing it more than once has no further effect. */
	public static final class Registration implements AutoCloseable {

		private boolean closed;

		private Registration() {
		}

		@Override
		public void close() {
			synchronized (LOCK) {
				if (!this.closed) {
					this.closed = true;
					registrations--;
				}
			}
		}

	}

}
