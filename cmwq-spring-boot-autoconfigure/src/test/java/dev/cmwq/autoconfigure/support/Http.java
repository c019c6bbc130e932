package dev.cmwq.autoconfigure.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;

/**
 * A tiny HTTP client for tests that talk to a running server over a real socket.
 */
public final class Http {

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String base;

	/**
	 * A client for {@code http://localhost:port}.
	 * @param port the server's port
	 */
	public Http(int port) {
		this.base = "http://localhost:" + port;
	}

	/**
	 * A GET.
	 * @param path e.g. {@code /actuator/workqueues}
	 * @return the response
	 */
	public Response get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).GET());
	}

	/**
	 * A POST without a body.
	 * @param path e.g. {@code /actuator/workqueues/freeze}
	 * @return the response
	 */
	public Response post(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	/**
	 * A POST as the dashboard sends one: {@code Content-Type: application/json} and the body {@code {}}.
	 * @param path e.g. {@code /actuator/workqueues/freeze}
	 * @return the response
	 */
	public Response postJson(String path) {
		return post(path, "application/json", "{}");
	}

	/**
	 * A POST with any Content-Type and body.
	 * @param path e.g. {@code /actuator/workqueues/freeze}
	 * @param contentType the Content-Type header, or null for none
	 * @param body the body, or null for none
	 * @return the response
	 */
	public Response post(String path, String contentType, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.POST((body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		return send(request);
	}

	private Response send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.client.send(request.timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body(),
					response.headers().firstValue("Content-Type").orElse(""));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A response.
	 * @param status the status code
	 * @param body the body
	 * @param contentType the content type, or empty
	 */
	public record Response(int status, String body, String contentType) {

		/**
		 * The body as JSON.
		 * @return a parsed document for JSONPath reads
		 */
		public DocumentContext json() {
			return JsonPath.parse(this.body);
		}

		/**
		 * One value of the JSON body.
		 * @param <T> its type
		 * @param path a JSONPath, e.g. {@code $.frozen}
		 * @return the value
		 */
		public <T> T read(String path) {
			return JsonPath.read(this.body, path);
		}

	}

}
