package dev.cmwq.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A delayed work item that records every answer the engine gives it ({@link Work#done}): the outcome, the failure
 * and the thread, counts its runs, and records anything thrown inside {@code done} (an assertion of the engine
 * tripped there, or the test's own hook failing).
 */
class RecordingWork extends DelayedWork {

	record Answer(Outcome outcome, Throwable failure, Thread thread) {
	}

	final List<Answer> answers = new CopyOnWriteArrayList<>();

	final List<Throwable> errorsInDone = new CopyOnWriteArrayList<>();

	final AtomicInteger runs;

	/** Runs inside {@code done}, after the answer is recorded; may be null. */
	volatile Consumer<Answer> onDone;

	RecordingWork(Runnable body) {
		this(new AtomicInteger(), body);
	}

	private RecordingWork(AtomicInteger runs, Runnable body) {
		super(() -> {
			runs.incrementAndGet();
			body.run();
		});
		this.runs = runs;
	}

	@Override
	protected void done(Outcome outcome, Throwable failure) {
		Answer answer = new Answer(outcome, failure, Thread.currentThread());
		this.answers.add(answer);
		Consumer<Answer> hook = this.onDone;
		if (hook != null) {
			try {
				hook.accept(answer);
			}
			catch (Throwable ex) {
				this.errorsInDone.add(ex);
			}
		}
	}

	List<Outcome> outcomes() {
		return this.answers.stream().map(Answer::outcome).toList();
	}

}
