package dev.cmwq.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one workqueue, changed by their owners (see package-info); adders, so that workers of different
 * pools do not contend. {@link WorkqueueStats} is their value at one moment.
 */
final class WorkqueueCounters {

	final LongAdder started = new LongAdder();

	final LongAdder completed = new LongAdder();

	final LongAdder failed = new LongAdder();

	final LongAdder cancelled = new LongAdder();

	final LongAdder rejected = new LongAdder();

	final LongAdder cpuNanos = new LongAdder();

	final LongAdder cpuIntensive = new LongAdder();

	final LongAdder cmWakeups = new LongAdder();

	final LongAdder mayday = new LongAdder();

	final LongAdder rescued = new LongAdder();

	WorkqueueStats snapshot() {
		return new WorkqueueStats(this.started.sum(), this.completed.sum(), this.failed.sum(), this.cancelled.sum(),
				this.rejected.sum(), TimeUnit.NANOSECONDS.toMillis(this.cpuNanos.sum()), this.cpuIntensive.sum(),
				this.cmWakeups.sum(), this.mayday.sum(), this.rescued.sum());
	}

}
