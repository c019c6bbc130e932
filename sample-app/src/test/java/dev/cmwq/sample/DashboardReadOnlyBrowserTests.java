package dev.cmwq.sample;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the {@code workqueues} endpoint is read-only, the dashboard shows everything and offers no action (and, the
 * {@code durableworkqueues} endpoint not being exposed, no durable section); and it
 * highlights a pool the watchdog reports stalled. (Here an item that keeps a CPU busy without blocking holds its
 * pool: CPU-intensive detection is off and the watchdog threshold is one second.)
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.cpus=2", "management.endpoint.workqueues.access=read-only",
				"management.endpoints.web.exposure.include=health,workqueues",
				"cmwq.cpu-intensive-threshold=0", "cmwq.watchdog-threshold=1s" })
class DashboardReadOnlyBrowserTests {

	private static HeadlessChromium chromium;

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	private final AtomicBoolean spin = new AtomicBoolean();

	private Workqueue hog;

	@AfterEach
	void release() {
		this.spin.set(false);
		if (this.hog != null) {
			this.hog.flush(PATIENCE);
			this.hog.destroy();
		}
	}

	@BeforeAll
	static void startBrowser() {
		chromium = HeadlessChromium.start();
	}

	@AfterAll
	static void stopBrowser() {
		if (chromium != null) {
			chromium.close();
		}
	}

	@Test
	void showsPoolsAndQueuesWithoutActionButtons() {
		ChromeDriver browser = chromium.driver();
		browser.get("http://localhost:" + this.port + "/cmwq/");
		new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage("the dashboard shows CPU 1 and the pools")
			.until((driver) -> !driver.findElements(By.id("cpu-1")).isEmpty()
					&& !driver.findElements(By.id("pool-unbound")).isEmpty()
					&& !driver.findElements(By.cssSelector("tr[data-queue='mailer']")).isEmpty());

		assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("live");
		assertThat(browser.findElement(By.id("freeze")).isDisplayed()).isFalse();
		assertThat(browser.findElement(By.id("thaw")).isDisplayed()).isFalse();
		for (WebElement button : browser.findElements(By.cssSelector("button[data-cpu]"))) {
			assertThat(button.isDisplayed()).as("CPU button %s", button.getDomAttribute("data-cpu")).isFalse();
		}
		assertThat(browser.findElement(By.cssSelector("#cpu-1 [data-field=state]")).getText()).isEqualTo("online");
		assertThat(browser.findElement(By.id("durable-section")).isDisplayed()).as("durable section").isFalse();
		assertThat(browser.findElement(By.cssSelector("tr[data-queue='mailer'] [data-field=capacity]")).getText())
			.isEqualTo("unbounded");
		chromium.screenshot("read-only");
	}

	@Test
	void highlightsAStalledPoolUntilItProgresses() {
		this.hog = this.system.allocWorkqueue("hog", Set.of(), 0);
		this.spin.set(true);
		this.hog.queueOn(0, new Work(() -> {
			while (this.spin.get()) {
				Thread.onSpinWait();
			}
		}));
		this.hog.queueOn(0, new Work(() -> { }));
		ChromeDriver browser = chromium.driver();
		browser.get("http://localhost:" + this.port + "/cmwq/");

		new WebDriverWait(browser, PATIENCE).withMessage("pool cpu0 shown stalled")
			.ignoring(NoSuchElementException.class)
			.until((driver) -> "true".equals(driver.findElement(By.id("pool-cpu0")).getDomAttribute("data-stalled")));
		WebElement pool = browser.findElement(By.id("pool-cpu0"));
		assertThat(pool.getDomAttribute("class")).contains("stalled");
		assertThat(pool.findElement(By.cssSelector(".badge.stalled")).isDisplayed()).isTrue();
		assertThat(browser.findElement(By.cssSelector("#pool-cpu1 .badge.stalled")).isDisplayed()).isFalse();
		chromium.screenshot("stalled-pool");

		this.spin.set(false);
		new WebDriverWait(browser, PATIENCE).withMessage("pool cpu0 no longer stalled")
			.until((driver) -> "false".equals(driver.findElement(By.id("pool-cpu0")).getDomAttribute("data-stalled")));
		assertThat(browser.findElement(By.cssSelector("#pool-cpu0 .badge.stalled")).isDisplayed()).isFalse();
	}

}
