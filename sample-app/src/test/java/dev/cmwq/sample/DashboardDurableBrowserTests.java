package dev.cmwq.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.mail.Mailer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's durable section in a real headless Chromium against the sample app, whose {@code mailer} queue is
 * durable (on an H2 file database of this test's own): mails held while frozen are the stored backlog, claimed by
 * this instance; a mail that always fails is retried once and becomes a dead letter
 * ({@code cmwq.durable.max-attempts=2}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.cpus=2", "cmwq.durable.max-attempts=2", "cmwq.durable.retry-delay=100ms",
				"cmwq.durable.poll-interval=200ms" })
class DashboardDurableBrowserTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private static final String MAILER = "tr[data-durable='mailer']";

	private static HeadlessChromium chromium;

	private static ChromeDriver browser;

	@DynamicPropertySource
	static void fileDatabase(DynamicPropertyRegistry registry) throws Exception {
		Path directory = Files.createTempDirectory("cmwq-sample-");
		directory.toFile().deleteOnExit();
		registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + directory.resolve("db") + ";WRITE_DELAY=0");
	}

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Autowired
	Mailer mailer;

	@Autowired
	Bounces bounces;

	@BeforeAll
	static void startBrowser() {
		chromium = HeadlessChromium.start();
		browser = chromium.driver();
	}

	@AfterAll
	static void stopBrowser() {
		if (chromium != null) {
			chromium.close();
		}
	}

	@AfterEach
	void thaw() {
		this.system.thaw();
	}

	@Test
	void showsTheStoredBacklogClaimsPerInstanceRetriesAndDeadLetters() {
		String instance = new Http(this.port).get("/actuator/durableworkqueues").read("$.instance");
		this.system.freeze(); // the mails are stored and held: the backlog
		this.mailer.sendOrderConfirmation(1, "ada");
		this.mailer.sendOrderConfirmation(2, "grace");

		browser.get("http://localhost:" + this.port + "/cmwq");
		waitUntil("the held mails are shown as the durable backlog, claimed here",
				() -> number(MAILER + " [data-field=backlog]") == 2 && number(MAILER + " [data-field=held]") == 2
						&& number(MAILER + " [data-field=unstarted]") == 2);
		assertThat(text("#durable-instance")).isEqualTo("this instance: " + instance);
		WebElement claim = browser
			.findElement(By.cssSelector(MAILER + " [data-field=claims] .claim[data-instance='" + instance + "']"));
		assertThat(claim.getText()).isEqualTo(instance + " 2");
		assertThat(claim.getDomAttribute("class")).contains("self");
		assertThat(number(MAILER + " [data-field=stored]")).isEqualTo(2);
		assertThat(number(MAILER + " [data-field=dead]")).isZero();
		assertThat(number(MAILER + " [data-field=retried]")).isZero();
		assertThat(browser.findElement(By.id("durable-status")).isDisplayed()).isFalse();
		showDurableSection();
		chromium.screenshot("durable-backlog");

		this.system.thaw();
		this.bounces.bounce("nobody@invalid"); // fails on both attempts: retried once, then a dead letter
		waitUntil("the mails are sent and the bounce is a dead letter after one retry",
				() -> number(MAILER + " [data-field=completed]") == 2 && number(MAILER + " [data-field=retried]") == 1
						&& number(MAILER + " [data-field=dead]") == 1 && number(MAILER + " [data-field=backlog]") == 0);
		assertThat(browser.findElement(By.cssSelector(MAILER + " [data-field=dead]")).getDomAttribute("class"))
			.contains("alert");
		assertThat(text(MAILER + " [data-field=claims]")).isEqualTo("–");
		assertThat(number(MAILER + " [data-field=stored]")).isEqualTo(3);
		showDurableSection();
		chromium.screenshot("durable-dead-letter");
	}

	@Test
	void aDurableEndpointThatFailsIsShownInItsSectionWhileTheRestStaysLive() {
		browser.get("http://localhost:" + this.port + "/cmwq");
		waitUntil("the durable section is shown",
				() -> !browser.findElements(By.cssSelector(MAILER)).isEmpty());
		// from now on the page's requests to the durable endpoint are answered 503, as by a proxy in between
		browser.executeScript("""
				const real = window.fetch;
				window.realFetch = real;
				window.fetch = (url, options) => String(url).endsWith('/actuator/durableworkqueues')
				    ? Promise.resolve(new Response('unavailable', { status: 503 })) : real(url, options);""");

		waitUntil("the failure is shown in the durable section",
				() -> browser.findElement(By.id("durable-status")).isDisplayed());
		assertThat(text("#durable-status")).isEqualTo("The durableworkqueues endpoint (/actuator/durableworkqueues) "
				+ "answered HTTP 503: the numbers below are from its last answer.");
		assertThat(browser.findElement(By.id("durable")).getDomAttribute("class")).contains("stale");
		String updated = text("#updated");
		waitUntil("the rest of the page goes on", () -> !text("#updated").equals(updated));
		assertThat(text("#connection")).isEqualTo("live");
		showDurableSection();
		chromium.screenshot("durable-unavailable");

		browser.executeScript("window.fetch = window.realFetch;");
		waitUntil("the durable section recovers", () -> !browser.findElement(By.id("durable-status")).isDisplayed());
		assertThat(browser.findElement(By.id("durable")).getDomAttribute("class")).doesNotContain("stale");
	}

	private static void showDurableSection() {
		browser.executeScript("document.getElementById('durable-section').scrollIntoView()");
	}

	private static String text(String selector) {
		return browser.findElement(By.cssSelector(selector)).getText().trim();
	}

	private static int number(String selector) {
		String text = text(selector);
		return text.isEmpty() ? 0 : Integer.parseInt(text);
	}

	private static void waitUntil(String what, BooleanSupplier condition) {
		new WebDriverWait(browser, PATIENCE).withMessage(what)
			.ignoring(NoSuchElementException.class)
			.ignoring(StaleElementReferenceException.class)
			.ignoring(NumberFormatException.class)
			.until((driver) -> condition.getAsBoolean());
	}

	/** A mail that always bounces, on the durable mailer queue. */
	static class Bounces {

		@QueueWork("mailer")
		public void bounce(String to) {
			throw new IllegalStateException("Mailbox " + to + " does not exist");
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class BouncesConfiguration {

		@Bean
		Bounces bounces() {
			return new Bounces();
		}

	}

}
