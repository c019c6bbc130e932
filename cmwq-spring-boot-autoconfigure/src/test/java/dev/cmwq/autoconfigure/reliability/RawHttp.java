package dev.cmwq.autoconfigure.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends HTTP/1.1 requests byte for byte as given, over a plain socket: any method, any request target (unencoded,
 * malformed escapes, dot segments that a URI class would refuse or normalize), any headers and body.
 */
final class RawHttp {

	private final int port;

	RawHttp(int port) {
		this.port = port;
	}

	/**
	 * Sends one request on its own connection.
	 * @param method the method, as sent
	 * @param target the request target, as sent (UTF-8)
	 * @param contentType the Content-Type header, or null for none
	 * @param body the body, or null for none (a POST without a body sends Content-Length: 0)
	 * @return the response
	 */
	Response send(String method, String target, String contentType, String body) {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(30_000);
			byte[] content = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
			StringBuilder request = new StringBuilder();
			request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
			request.append("Host: localhost:").append(this.port).append("\r\n");
			request.append("Accept: application/json\r\n");
			request.append("Connection: close\r\n");
			if (contentType != null) {
				request.append("Content-Type: ").append(contentType).append("\r\n");
			}
			if (body != null || "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method)) {
				request.append("Content-Length: ").append(content.length).append("\r\n");
			}
			request.append("\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.write(content);
			out.flush();
			return parse(socket.getInputStream().readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Response parse(byte[] raw) {
		String all = new String(raw, StandardCharsets.ISO_8859_1);
		int end = all.indexOf("\r\n\r\n");
		if (end < 0) {
			throw new IllegalStateException("No complete HTTP response: " + all);
		}
		String[] lines = all.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
					lines[i].substring(colon + 1).trim());
		}
		byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			body = dechunk(body);
		}
		return new Response(status, headers.getOrDefault("content-type", ""), new String(body, StandardCharsets.UTF_8));
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (at < chunked.length) {
			int lineEnd = indexOf(chunked, at);
			String size = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim();
			int length = Integer.parseInt(size, 16);
			if (length == 0) {
				break;
			}
			out.write(chunked, lineEnd + 2, length);
			at = lineEnd + 2 + length + 2;
		}
		return out.toByteArray();
	}

	private static int indexOf(byte[] bytes, int from) {
		for (int i = from; i < bytes.length - 1; i++) {
			if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
				return i;
			}
		}
		throw new IllegalStateException("Malformed chunked body");
	}

	/** An HTTP response. */
	record Response(int status, String contentType, String body) {

		/** A line for messages. */
		String describe() {
			String shown = (this.body.length() > 300) ? this.body.substring(0, 300) + "..." : this.body;
			return this.status + " [" + this.contentType + "] " + shown.replace("\n", " ");
		}

	}

}
