package dev.cmwq.spring.blocking;

import java.io.IOException;

import dev.cmwq.core.Blocking;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Makes an HTTP exchange of a {@code RestClient} or {@code RestTemplate} a blocking section: from sending the
 * request until the response's status and headers are in. Reading the body afterwards is left to the block detector.
 * Spring Boot's {@code RestClient.Builder} and {@code RestTemplateBuilder} get it from the blocking-hints
 * auto-configuration; add it yourself to clients built without them.
 */
public final class BlockingHttpInterceptor implements ClientHttpRequestInterceptor {

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		try (Blocking.Section ignored = Blocking.begin()) {
			return execution.execute(request, body);
		}
	}

}
