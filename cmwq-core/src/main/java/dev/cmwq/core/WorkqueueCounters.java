package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one workqueue, changed by their owners (see package-info); adders, so that workers of different
 * pools do not contend. {@link WorkqueueStats} is their value at one moment.
 *
 * <p>Items that workers start and complete, one count each per item, are counted in {@link Cell}s rather than in
 * the adders: a worker takes a cell of the queue whose items it runs ({@link #takeCell}), counts in it with plain
 * stores (no CAS, no fence: it is the cell's only writer), and gives it back when it goes idle or turns to another
 * queue's items, for the next worker to count on in it. A cell is never reset, so a snapshot, which adds every cell
 * to the adders, counts each item once whenever it is taken; and as a worker counts an item before it answers it,
 * a snapshot taken after {@code awaitIdle}, a flush or an item's {@code done} that returned counts that item.
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

	/**
	 * Every cell made for this queue, taken or not (at most as many as workers ran its items at once). V: replaced,
	 * one longer, under this object's monitor (a leaf monitor).
	 */
	private volatile Cell[] cells = new Cell[0];

	/**
	 * A cell for the calling worker to count in: {@code last} (the cell it held last, or null) if it is one of these
	 * counters' and no worker took it since, else another that no worker holds, else a new one.
	 */
	Cell takeCell(Cell last) {
		if (last != null && last.counters == this && last.tryTake()) {
			return last; // a worker that goes idle and back to the same queue: no scan
		}
		for (Cell cell : this.cells) {
			if (cell.tryTake()) {
				return cell;
			}
		}
		synchronized (this) {
			Cell cell = new Cell(this);
			Cell[] grown = Arrays.copyOf(this.cells, this.cells.length + 1);
			grown[grown.length - 1] = cell;
			this.cells = grown;
			return cell;
		}
	}

	WorkqueueStats snapshot() {
		long cellsStarted = 0;
		long cellsCompleted = 0;
		for (Cell cell : this.cells) {
			cellsStarted += cell.started();
			cellsCompleted += cell.completed();
		}
		return new WorkqueueStats(this.started.sum() + cellsStarted, this.completed.sum() + cellsCompleted,
				this.failed.sum(), this.cancelled.sum(), this.rejected.sum(),
				TimeUnit.NANOSECONDS.toMillis(this.cpuNanos.sum()), this.cpuIntensive.sum(), this.cmWakeups.sum(),
				this.mayday.sum(), this.rescued.sum());
	}

	/** Padding before a {@link Cell}'s fields: a cell is written for every item, so it shares no cache line. */
	@SuppressWarnings("unused")
	private abstract static class CellPadding {

		long p0, p1, p2, p3, p4, p5, p6, p7;

	}

	/** The fields of a {@link Cell}, between two paddings (HotSpot lays a superclass's fields first). */
	private abstract static class CellFields extends CellPadding {

		/** 1 while a worker holds the cell. C */
		volatile int taken = 1;

		/** Items started, counted by the holder. W (the holder), read by snapshots as opaque. */
		long started;

		/** Items completed, counted by the holder: see {@link #started}. */
		long completed;

	}

	/**
	 * Started and completed counts of one worker at a time (see the class comment): made taken by the worker that
	 * made it, given back with {@link #release()}, taken again with {@link #tryTake()}; the release and the taking
	 * CAS order one holder's counts before the next one's.
	 */
	static final class Cell extends CellFields {

		private static final VarHandle TAKEN;

		private static final VarHandle STARTED;

		private static final VarHandle COMPLETED;

		static {
			try {
				MethodHandles.Lookup lookup = MethodHandles.lookup();
				TAKEN = lookup.findVarHandle(CellFields.class, "taken", int.class);
				STARTED = lookup.findVarHandle(CellFields.class, "started", long.class);
				COMPLETED = lookup.findVarHandle(CellFields.class, "completed", long.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		@SuppressWarnings("unused")
		long q0, q1, q2, q3, q4, q5, q6, q7;

		final WorkqueueCounters counters; // I

		Cell(WorkqueueCounters counters) {
			this.counters = counters;
		}

		private boolean tryTake() {
			return this.taken == 0 && TAKEN.compareAndSet(this, 0, 1);
		}

		/** The holder gives the cell back. */
		void release() {
			assert this.taken == 1;
			TAKEN.setRelease(this, 0);
		}

		/** An item started. Holder only. */
		void countStarted() {
			STARTED.setOpaque(this, this.started + 1);
		}

		/** An item returned normally. Holder only. */
		void countCompleted() {
			COMPLETED.setOpaque(this, this.completed + 1);
		}

		long started() {
			return (long) STARTED.getOpaque(this);
		}

		long completed() {
			return (long) COMPLETED.getOpaque(this);
		}

	}

}
