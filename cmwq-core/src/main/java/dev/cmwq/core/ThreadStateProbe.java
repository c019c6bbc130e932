package dev.cmwq.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells the block detector whether a worker thread is blocked, and how much CPU time it has used. {@link
 * Thread#getState()} covers what the JVM knows (sleep, {@code Object.wait}, parking, monitor contention) and costs
 * nothing. For a RUNNABLE thread, Linux's {@code /proc/self/task/<tid>/stat} adds what only the kernel knows: a
 * RUNNABLE Java thread in state S or D is blocked in a system call, such as a socket or file read; its {@code
 * wchan} (where in the kernel it sleeps) tells such a read from a futex wait, which is how the JVM's own pauses
 * look. (The cheaper {@code schedstat} will not do: the kernel updates a running thread's CPU time there only at
 * its scheduler ticks, so a busy thread can look idle for milliseconds.) The file is opened once by the worker
 * itself (which learns its tid from {@code /proc/thread-self}) and read by the detector thread only, into a buffer
 * the probe owns. CPU time comes from {@link ThreadMXBean#getThreadCpuTime(long)}, which is exact.
 */
class ThreadStateProbe implements AutoCloseable {

	static final ThreadStateProbe NONE = new ThreadStateProbe();

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private static final boolean CPU_TIME = THREADS.isThreadCpuTimeSupported();

	/** The JVM knows the thread is blocked: sleep, wait, park or monitor contention. */
	static final int JVM_BLOCKED = 2;

	/**
	 * Only the kernel says the thread sleeps, in a futex (or where it sleeps is unknown): a JVM pause such as a
	 * safepoint, a lock inside native code, or a blocking call. Believed once seen twice.
	 */
	static final int KERNEL_BLOCKED = 1;

	/**
	 * Only the kernel says the thread sleeps, and not in a futex: a socket, pipe or file read, or another blocking
	 * system call (the JVM's own pauses wait in futexes). Believed at once.
	 */
	static final int IO_BLOCKED = 3;

	static final int RUNNING = 0;

	ThreadStateProbe() {
	}

	/**
	 * Opens a probe for the calling thread; {@link #NONE} (JVM states only) where /proc is not there, and for a
	 * virtual thread.
	 */
	static ThreadStateProbe forCurrentThread() {
		if (VirtualThreads.isVirtual(Thread.currentThread())) {
			return NONE; // /proc/thread-self is the carrier's, which changes under a virtual thread
		}
		try {
			Path self = Path.of("/proc/thread-self");
			if (!Files.exists(self)) {
				return NONE;
			}
			Path task = self.toRealPath(); // /proc/<pid>/task/<tid>
			FileChannel stat = FileChannel.open(task.resolve("stat"), StandardOpenOption.READ);
			FileChannel wchan;
			try {
				wchan = FileChannel.open(task.resolve("wchan"), StandardOpenOption.READ);
			}
			catch (IOException | RuntimeException ex) {
				wchan = null; // every kernel-only block then needs two probes
			}
			return new ProcProbe(stat, wchan);
		}
		catch (IOException | RuntimeException ex) {
			return NONE;
		}
	}

	/** How blocked {@code thread} is now: {@link #JVM_BLOCKED}, {@link #KERNEL_BLOCKED} or {@link #RUNNING}. */
	int probe(Thread thread) {
		return jvmBlocked(thread) ? JVM_BLOCKED : RUNNING;
	}

	static boolean jvmBlocked(Thread thread) {
		Thread.State state = thread.getState();
		return state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
	}

	/** The thread's CPU time in nanoseconds, or -1 where the JVM cannot tell. */
	static long cpuNanos(Thread thread) {
		return CPU_TIME ? THREADS.getThreadCpuTime(thread.getId()) : -1;
	}

	@Override
	public void close() {
	}

	private static final class ProcProbe extends ThreadStateProbe {

		private final FileChannel channel;

		private final FileChannel wchan; // or null

		private final ByteBuffer buffer = ByteBuffer.allocate(512);

		ProcProbe(FileChannel channel, FileChannel wchan) {
			this.channel = channel;
			this.wchan = wchan;
		}

		@Override
		int probe(Thread thread) {
			if (jvmBlocked(thread)) {
				return JVM_BLOCKED;
			}
			try {
				this.buffer.clear();
				int n = this.channel.read(this.buffer, 0);
				// "<tid> (<comm>) <state> ...": comm may hold ')' itself, so look for the last one
				for (int i = n - 1; i > 0; i--) {
					if (this.buffer.get(i) == ')') {
						if (i + 2 < n) {
							byte state = this.buffer.get(i + 2);
							return (state == 'S' || state == 'D') ? whereBlocked() : RUNNING;
						}
						return RUNNING;
					}
				}
				return RUNNING;
			}
			catch (IOException | RuntimeException ex) {
				return RUNNING; // the worker closed its probe as it exited
			}
		}

		/**
		 * {@link #IO_BLOCKED} unless {@code wchan}, the kernel function the thread sleeps in, is a futex wait (or
		 * cannot be read, or is hidden as "0"): then {@link #KERNEL_BLOCKED}.
		 */
		private int whereBlocked() throws IOException {
			if (this.wchan == null) {
				return KERNEL_BLOCKED;
			}
			this.buffer.clear();
			int n = this.wchan.read(this.buffer, 0);
			if (n <= 1 || this.buffer.get(0) == '0' || startsWith(this.buffer, n, "futex")) {
				return KERNEL_BLOCKED;
			}
			return IO_BLOCKED;
		}

		private static boolean startsWith(ByteBuffer buffer, int n, String prefix) {
			if (n < prefix.length()) {
				return false;
			}
			for (int i = 0; i < prefix.length(); i++) {
				if (buffer.get(i) != prefix.charAt(i)) {
					return false;
				}
			}
			return true;
		}

		@Override
		public void close() {
			try {
				this.channel.close();
				if (this.wchan != null) {
					this.wchan.close();
				}
			}
			catch (IOException ex) {
				// nothing to do
			}
		}

	}

}
