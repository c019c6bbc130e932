package dev.cmwq.spring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;

/**
 * A workqueue bean turns every refusal of the engine, whatever its reason (closed, draining, destroyed, full), into
 * Spring's {@link TaskRejectedException}, keeping the engine's message and the exception as its cause.
 */
class SpringWorkqueueTests {

	@Test
	void everyRefusalOfTheEngineReachesTheCallerAsTaskRejectedException() {
		RejectedExecutionException full = new RejectedExecutionException("Workqueue 'q' is full (capacity 10)");
		Workqueue engine = mock(Workqueue.class);
		willThrow(full).given(engine).execute(any());
		willThrow(full).given(engine).queue(any());
		willThrow(full).given(engine).queueOn(anyInt(), any());
		willThrow(full).given(engine).runInline(any());
		willThrow(full).given(engine).queueDelayed(any(), any());
		willThrow(full).given(engine).queueDelayedOn(anyInt(), any(), any());
		willThrow(full).given(engine).modDelayed(any(), any());
		TaskDecorator decorator = (task) -> task;
		SpringWorkqueue bean = new SpringWorkqueue(engine, decorator);
		DelayedWork work = new DelayedWork(() -> {
		});
		List<Runnable> calls = List.of(() -> bean.execute(() -> {
		}), () -> bean.submit(() -> {
		}), () -> bean.submit(() -> "value"), () -> bean.submitCompletable(() -> {
		}), () -> bean.submitCompletable(() -> "value"), () -> bean.queue(work), () -> bean.queueOn(0, work),
				() -> bean.runInline(work), () -> bean.queueDelayed(work, Duration.ZERO),
				() -> bean.queueDelayedOn(0, work, Duration.ZERO), () -> bean.modDelayed(work, Duration.ZERO));
		assertThat(calls).allSatisfy((call) -> assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(call::run)
			.withMessage("Workqueue 'q' is full (capacity 10)")
			.withCause(full));
	}

	@Test
	void aTaskRejectedExceptionPassesUnchanged() {
		TaskRejectedException rejected = new TaskRejectedException("already Spring's");
		Workqueue engine = mock(Workqueue.class);
		willThrow(rejected).given(engine).queue(any(Work.class));
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> SpringWorkqueue.of(engine).queue(new Work(() -> {
			})))
			.isSameAs(rejected);
	}

}
