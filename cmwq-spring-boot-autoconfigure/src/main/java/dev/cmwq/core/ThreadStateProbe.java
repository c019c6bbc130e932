package dev.cmwq.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells whether a worker thread is blocked. {@link Thread#getState()} covers what the JVM knows (sleep,
 * {@code Object.wait}, parking, monitor contention); on Linux the thread's own {@code /proc/self/task/<tid>/stat}
 * adds what only the kernel knows: a RUNNABLE Java thread in state S or D is blocked in a system call, such as a
 * socket or file read. The file is opened once by the worker itself (which learns its tid from
 * {@code /proc/thread-self}) and read by the detector thread only, into a buffer the probe owns.
 */
class ThreadStateProbe implements AutoCloseable {

	static final ThreadStateProbe NONE = new ThreadStateProbe();

	ThreadStateProbe() {
	}

	/** Opens a probe for the calling thread; {@link #NONE}-like (JVM states only) where /proc is not there. */
	static ThreadStateProbe forCurrentThread() {
		try {
			Path self = Path.of("/proc/thread-self");
			if (!Files.exists(self)) {
				return NONE;
			}
			Path task = self.toRealPath(); // /proc/<pid>/task/<tid>
			FileChannel channel = FileChannel.open(task.resolve("stat"), StandardOpenOption.READ);
			return new ProcProbe(channel);
		}
		catch (IOException | RuntimeException ex) {
			return NONE;
		}
	}

	/** Whether {@code thread} is blocked now. Called by the detector thread only. */
	boolean isBlocked(Thread thread) {
		Thread.State state = thread.getState();
		return state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
	}

	@Override
	public void close() {
	}

	private static final class ProcProbe extends ThreadStateProbe {

		private final FileChannel channel;

		private final ByteBuffer buffer = ByteBuffer.allocate(512);

		ProcProbe(FileChannel channel) {
			this.channel = channel;
		}

		@Override
		boolean isBlocked(Thread thread) {
			if (super.isBlocked(thread)) {
				return true;
			}
			if (thread.getState() != Thread.State.RUNNABLE) {
				return false;
			}
			try {
				this.buffer.clear();
				int n = this.channel.read(this.buffer, 0);
				// "<tid> (<comm>) <state> ...": comm may hold ')' itself, so look for the last one
				for (int i = n - 1; i > 0; i--) {
					if (this.buffer.get(i) == ')') {
						if (i + 2 < n) {
							byte state = this.buffer.get(i + 2);
							return state == 'S' || state == 'D';
						}
						return false;
					}
				}
				return false;
			}
			catch (IOException | RuntimeException ex) {
				return false; // the worker closed its probe as it exited
			}
		}

		@Override
		public void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// nothing to do
			}
		}

	}

}
