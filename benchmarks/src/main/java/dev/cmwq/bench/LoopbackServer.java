package dev.cmwq.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A server on 127.0.0.1 that answers each byte it reads with one byte, {@code delay} later: a stand-in for a slow
 * remote call. One selector thread reads, one timer thread replies; clients borrow connections from a pool that
 * grows as needed, so that no item waits for a connection.
 */
final class LoopbackServer implements AutoCloseable {

	private final ServerSocketChannel server;

	private final Selector selector;

	private final ScheduledThreadPoolExecutor replier;

	private final Thread loop;

	private final long delayNanos;

	private final ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<Conn> all = new ConcurrentLinkedQueue<>();

	private volatile boolean closed;

	LoopbackServer(long delayNanos) throws IOException {
		this.delayNanos = delayNanos;
		this.server = ServerSocketChannel.open();
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
		this.server.configureBlocking(false);
		this.selector = Selector.open();
		this.server.register(this.selector, SelectionKey.OP_ACCEPT);
		this.replier = new ScheduledThreadPoolExecutor(1, (r) -> {
			Thread t = new Thread(r, "bench-server-replier");
			t.setDaemon(true);
			return t;
		});
		this.loop = new Thread(this::serve, "bench-server-selector");
		this.loop.setDaemon(true);
		this.loop.start();
	}

	private void serve() {
		ByteBuffer buffer = ByteBuffer.allocate(256);
		try {
			while (!this.closed) {
				this.selector.select();
				Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					if (!key.isValid()) {
						continue;
					}
					if (key.isAcceptable()) {
						SocketChannel ch = this.server.accept();
						if (ch != null) {
							ch.configureBlocking(false);
							ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
							ch.register(this.selector, SelectionKey.OP_READ);
						}
					}
					else if (key.isReadable()) {
						SocketChannel ch = (SocketChannel) key.channel();
						buffer.clear();
						int n;
						try {
							n = ch.read(buffer);
						}
						catch (IOException ex) {
							n = -1;
						}
						if (n < 0) {
							key.cancel();
							ch.close();
							continue;
						}
						for (int i = 0; i < n; i++) {
							this.replier.schedule(() -> reply(ch), this.delayNanos, TimeUnit.NANOSECONDS);
						}
					}
				}
			}
		}
		catch (IOException ex) {
			if (!this.closed) {
				ex.printStackTrace();
			}
		}
	}

	private static void reply(SocketChannel ch) {
		try {
			ch.write(ByteBuffer.wrap(new byte[] { 1 }));
		}
		catch (IOException ex) {
			// client gone
		}
	}

	/** One request/reply: blocks in a socket read for about the server's delay. */
	void call() {
		Conn c = borrow();
		try {
			c.out.write(1);
			c.out.flush();
			if (c.in.read() < 0) {
				throw new IOException("server closed");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			this.idle.add(c);
		}
	}

	/** A connection for the caller's exclusive use; give it back with {@link #giveBack(Conn)}. */
	Conn borrow() {
		Conn c = this.idle.poll();
		if (c != null) {
			return c;
		}
		try {
			Socket s = new Socket(InetAddress.getLoopbackAddress(), this.server.socket().getLocalPort());
			s.setTcpNoDelay(true);
			c = new Conn(s);
			this.all.add(c);
			return c;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	void giveBack(Conn c) {
		this.idle.add(c);
	}

	/** Opens {@code n} connections ahead of time. */
	void prepare(int n) {
		Conn[] cs = new Conn[n];
		for (int i = 0; i < n; i++) {
			cs[i] = borrow();
		}
		for (Conn c : cs) {
			giveBack(c);
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.selector.wakeup();
		this.replier.shutdownNow();
		for (Conn c : this.all) {
			try {
				c.socket.close();
			}
			catch (IOException ex) {
				// ignore
			}
		}
		try {
			this.loop.join(1000);
			this.selector.close();
			this.server.close();
		}
		catch (IOException | InterruptedException ex) {
			// ignore
		}
	}

	static final class Conn {

		final Socket socket;

		final InputStream in;

		final OutputStream out;

		Conn(Socket socket) throws IOException {
			this.socket = socket;
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}

	}

}
