package dev.cmwq.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium behind Spring Security's defaults for a browser
 * ({@code sample.security.login=session}: a login form, a session, CSRF protection with the token in the session):
 * signed in, the operator freezes and thaws from the page, which sends the CSRF token; a request without it is
 * refused.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.security.login=session", "cmwq.cpus=2" })
class DashboardSessionLoginBrowserTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private static HeadlessChromium chromium;

	private static ChromeDriver browser;

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

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
	void signedInTheOperatorFreezesAndThawsWithTheCsrfTokenOn() {
		browser.get(url("/cmwq/"));
		waitUntil("the dashboard is live", (driver) -> text("#connection").equals("live"));
		click("#freeze");
		waitUntil("the page says to sign in", (driver) -> text("#message-text").startsWith("Freeze refused"));
		assertThat(text("#message-text")).contains("redirects to its sign-in page");
		assertThat(this.system.isFrozen()).isFalse();

		// sign in on another tab: the session's CSRF token changes, so the one this page holds is stale now
		String dashboard = browser.getWindowHandle();
		browser.switchTo().newWindow(WindowType.TAB);
		browser.get(url("/login"));
		browser.findElement(By.id("username")).sendKeys("operator");
		browser.findElement(By.id("password")).sendKeys("operator");
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		waitUntil("signed in", (driver) -> !driver.getCurrentUrl().contains("/login"));
		browser.close();
		browser.switchTo().window(dashboard);

		click("#freeze");
		waitUntil("the system is shown frozen", (driver) -> text("#frozen-state").equals("frozen"));
		assertThat(text("#message-text")).startsWith("Frozen");
		assertThat(this.system.isFrozen()).isTrue();
		chromium.screenshot("session-login-frozen");

		click("#thaw");
		waitUntil("the system is shown running", (driver) -> text("#frozen-state").equals("running"));
		assertThat(text("#message-text")).startsWith("Thawed");
		assertThat(this.system.isFrozen()).isFalse();

		// CSRF protection is on: the same session's POST without the token is refused
		assertThat(postFromThePage("freeze", false)).isEqualTo(403);
		assertThat(postFromThePage("freeze", true)).isEqualTo(200);
		assertThat(this.system.isFrozen()).isTrue();
	}

	/** A {@code fetch} from the page, in its session: JSON, with or without the token config.json gives. */
	private static long postFromThePage(String action, boolean withToken) {
		Object status = browser.executeAsyncScript("""
				const [action, withToken, done] = arguments;
				fetch('config.json').then((r) => r.json()).then((config) => {
				  const headers = { 'Content-Type': 'application/json' };
				  if (withToken) { headers[config.csrf.header] = config.csrf.token; }
				  return fetch(config.endpoint + '/' + action, { method: 'POST', headers, body: '{}' });
				}).then((response) => done(response.status), (error) => done(String(error)));
				""", action, withToken);
		return (Long) status;
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private static void click(String selector) {
		new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.elementToBeClickable(By.cssSelector(selector)))
			.click();
	}

	private static String text(String selector) {
		return browser.findElement(By.cssSelector(selector)).getText().trim();
	}

	private static void waitUntil(String what, Function<WebDriver, Boolean> condition) {
		new WebDriverWait(browser, PATIENCE).withMessage(what).ignoring(NoSuchElementException.class).until(condition);
	}

}
