package dev.cmwq.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.mail.Mailer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them) against the running sample app: what an operator sees and does. Screenshots go to
 * {@code target/screenshots/}. Without chromium this test fails: it must not pass by skipping.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "cmwq.cpus=2")
class DashboardBrowserTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private static final List<String> POOLS = List.of("cpu0", "cpu0-highpri", "cpu1", "cpu1-highpri", "unbound",
			"unbound-highpri");

	private static final List<String> QUEUES = List.of("thumbnails", "supplier", "audit", "mailer", "search-index");

	private static HeadlessChromium chromium;

	private static ChromeDriver browser;

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Autowired
	Mailer mailer;

	private final List<CountDownLatch> releases = new ArrayList<>();

	private final List<Workqueue> queuesToDestroy = new ArrayList<>();

	private Http http;

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

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@AfterEach
	void restore() {
		this.http.as("operator", "operator").post("/api/load/off");
		this.releases.forEach(CountDownLatch::countDown);
		this.system.thaw();
		for (int cpu = 0; cpu < this.system.cpus(); cpu++) {
			this.system.cpuOnline(cpu);
		}
		this.system.workqueues().forEach((wq) -> wq.flush(PATIENCE));
		this.queuesToDestroy.forEach(Workqueue::destroy);
	}

	@Test
	void showsPoolsAndQueuesWithLiveChartsUnderLoad() {
		assertThat(this.http.as("operator", "operator").post("/api/load/on").status()).isEqualTo(200);
		openDashboard();

		for (String pool : POOLS) {
			WebElement card = browser.findElement(By.id("pool-" + pool));
			assertThat(card.findElements(By.tagName("canvas"))).as("chart of pool %s", pool).hasSize(1);
		}
		assertThat(legend("cpu0")).containsExactly("busy", "idle", "rogue", "running", "blocked", "pending",
				"running target");
		assertThat(legend("unbound")).containsExactly("busy", "idle", "rogue", "running", "blocked", "pending");
		assertThat(text("#cpus-online")).isEqualTo("2 / 2");
		assertThat(text("#frozen-state")).isEqualTo("running");
		assertThat(text("tr[data-queue='thumbnails'] [data-field=flags]")).isEqualTo("cpu-intensive");
		assertThat(text("tr[data-queue='audit'] [data-field=flags]")).contains("ordered");
		assertThat(text("tr[data-queue='mailer'] [data-field=flags]")).isEqualTo("freezable");
		assertThat(text("tr[data-queue='supplier'] [data-field=maxActive]")).isEqualTo("16");
		// capacity and overflow as the sample's application.yml sets them
		assertThat(text("tr[data-queue='thumbnails'] [data-field=capacity]")).isEqualTo("1000");
		assertThat(text("tr[data-queue='thumbnails'] [data-field=overflow]")).isEqualTo("caller-runs");
		assertThat(text("tr[data-queue='supplier'] [data-field=capacity]")).isEqualTo("unbounded");
		assertThat(text("tr[data-queue='supplier'] [data-field=overflow]")).isEqualTo("–");
		assertThat(attribute("tr[data-queue='supplier'] [data-field=overflow]", "title"))
			.isEqualTo("never applies: the queue is unbounded");
		// the durable mailer queue in its own section, beside the endpoint's answer
		waitUntil("the durable mailer queue is shown",
				() -> !browser.findElements(By.cssSelector("tr[data-durable='mailer']")).isEmpty());
		assertThat(browser.findElement(By.id("durable-section")).isDisplayed()).isTrue();

		// the counts move while the page is open, and the charts gather a history
		int startedBefore = number("tr[data-queue='supplier'] [data-field=started]");
		waitUntil("the supplier queue's started count grows",
				() -> number("tr[data-queue='supplier'] [data-field=started]") > startedBefore + 10);
		waitUntil("some pool shows busy workers", () -> POOLS.stream()
			.anyMatch((pool) -> number("#pool-" + pool + " [data-field=busy]") > 0));
		waitUntil(Duration.ofSeconds(90), "the charts hold 40 points",
				() -> number("#pool-cpu0", "data-points") >= 40);
		for (String queue : QUEUES) {
			assertThat(number("tr[data-queue='" + queue + "'] [data-field=completed]")).as("completed on %s", queue)
				.isPositive();
		}
		// the picture in the README: taken while the bound pools are busy
		waitUntil(Duration.ofSeconds(60), "a busy moment", () -> number("#pool-cpu0 [data-field=busy]")
				+ number("#pool-cpu1 [data-field=busy]") >= 2);
		screenshot("dashboard-under-load");
	}

	@Test
	void showsConcurrencyManagementStartingAWorkerWhenOneBlocks() {
		Workqueue drill = this.system.allocWorkqueue("cm-drill", Set.of(), 0);
		this.queuesToDestroy.add(drill);
		openDashboard();
		assertThat(text("#pool-cpu0 [data-field=target]")).isEqualTo("/ target 1");
		assertThat(browser.findElements(By.cssSelector("#pool-unbound [data-field=target]"))).isEmpty();

		// three items that block on CPU 0: each of the first two blocks with the next pending behind it, so
		// concurrency management marks it blocked and starts another worker; one worker counts as running
		CountDownLatch release = release();
		for (int i = 0; i < 3; i++) {
			drill.queueOn(0, new Work(() -> awaitQuietly(release)));
		}
		waitUntil("CPU 0's pool shows two blocked workers beside the one running",
				() -> number("#pool-cpu0 [data-field=blocked]") >= 2 && number("#pool-cpu0 [data-field=busy]") >= 3
						&& number("#pool-cpu0 [data-field=running]") == 1);
		waitUntil("the wake-ups show per second", () -> decimal("#cm-wakeups-rate") > 0
				&& decimal("tr[data-queue='cm-drill'] [data-field=cmWakeupsRate]") > 0
				&& decimal("#pool-cpu0 [data-field=cmWakeupsRate]") > 0);
		assertThat(number("tr[data-queue='cm-drill'] [data-field=cmWakeups]")).isGreaterThanOrEqualTo(2);
		screenshot("concurrency-management");

		release.countDown();
		waitUntil("the blocked workers are released", () -> number("#pool-cpu0 [data-field=blocked]") == 0
				&& number("tr[data-queue='cm-drill'] [data-field=completed]") == 3);
	}

	@Test
	void showsAFullQueuesCapacityOverflowPolicyAndRejections() {
		// one item of the drill queue runs (max-active 1) and holds the two behind it: the queue is full
		Workqueue drill = this.system.allocWorkqueue("bounded-drill", Set.of(WorkqueueFlag.UNBOUND), 1);
		this.queuesToDestroy.add(drill);
		drill.setCapacity(2, Overflow.BLOCK, Duration.ofMillis(250));
		CountDownLatch release = release();
		CountDownLatch started = new CountDownLatch(1);
		drill.queue(new Work(() -> {
			started.countDown();
			awaitQuietly(release);
		}));
		awaitQuietly(started);
		drill.queue(new Work(() -> {
		}));
		drill.queue(new Work(() -> {
		}));
		assertThatThrownBy(() -> drill.queue(new Work(() -> {
		}))).as("no room within the overflow timeout").isInstanceOf(RejectedExecutionException.class);
		openDashboard();

		String row = "tr[data-queue='bounded-drill']";
		waitUntil("the drill queue is shown full, with its rejection",
				() -> number(row + " [data-field=pending]") == 2 && number(row + " [data-field=rejected]") == 1);
		assertThat(text(row + " [data-field=capacity]")).isEqualTo("2");
		assertThat(text(row + " [data-field=overflow]")).isEqualTo("block 250 ms");
		assertThat(attribute(row, "class")).contains("full");
		assertThat(attribute(row + " [data-field=capacity]", "class")).contains("alert");
		assertThat(attribute(row + " [data-field=rejected]", "class")).contains("alert");
		assertThat(text(row + " td.name")).isEqualTo("bounded-drill");
		browser.executeScript("arguments[0].scrollIntoView()", browser.findElement(By.cssSelector(row)));
		screenshot("full-queue");

		release.countDown();
		waitUntil("the drill queue drains and is no longer full", () -> number(row + " [data-field=completed]") == 3
				&& !attribute(row, "class").contains("full"));
		assertThat(attribute(row + " [data-field=capacity]", "class")).doesNotContain("alert");
		assertThat(number(row + " [data-field=rejected]")).as("rejections are cumulative").isEqualTo(1);
	}

	@Test
	void takesACpuOfflineShowingRogueWorkersThenBringsItBack() {
		// a queue for this test only: two of its items run on CPU 1 (blocked, so each has a worker), two wait
		Workqueue drill = this.system.allocWorkqueue("drill", Set.of(), 2);
		this.queuesToDestroy.add(drill);
		CountDownLatch release = release();
		for (int i = 0; i < 4; i++) {
			drill.queueOn(1, new Work(() -> awaitQuietly(release)));
		}
		waitUntil("two drill items run on CPU 1", () -> drillSnapshot().active() == 2);
		openDashboard();

		click("button[data-cpu='1'][data-cpu-action='offline']");
		signIn("operator", "operator");

		waitUntil("CPU 1 is shown offline", () -> "false".equals(attribute("#cpu-1", "data-online")));
		assertThat(text("#cpu-1 [data-field=state]")).isEqualTo("offline");
		assertThat(text("#cpus-online")).isEqualTo("1 / 2");
		assertThat(text("#message-text")).isEqualTo("CPU 1 is offline.");
		waitUntil("the pool of CPU 1 is shown offline with rogue workers",
				() -> "false".equals(attribute("#pool-cpu1", "data-online"))
						&& number("#pool-cpu1 [data-field=rogue]") >= 2);
		assertThat(browser.findElement(By.cssSelector("#pool-cpu1 .badge.offline")).isDisplayed()).isTrue();
		assertThat(number("tr[data-queue='drill'] [data-field=pending]")).as("drill items still pending").isEqualTo(2);
		screenshot("cpu1-offline-rogue-workers");

		release.countDown();
		waitUntil("the rogue workers drain the drill queue",
				() -> number("tr[data-queue='drill'] [data-field=completed]") == 4);

		click("button[data-cpu='1'][data-cpu-action='online']");
		waitUntil("CPU 1 is shown online", () -> "true".equals(attribute("#cpu-1", "data-online")));
		waitUntil("its workers are bound again", () -> "true".equals(attribute("#pool-cpu1", "data-online"))
				&& number("#pool-cpu1 [data-field=rogue]") == 0);
		assertThat(text("#cpus-online")).isEqualTo("2 / 2");
		assertThat(this.system.isOnline(1)).isTrue();
		screenshot("cpu1-back-online");
	}

	@Test
	void freezesHoldingFreezableWorkThenThaws() {
		openDashboard();
		assertThat(browser.findElement(By.id("thaw")).isEnabled()).as("thaw while running").isFalse();

		click("#freeze");
		signIn("operator", "operator");
		waitUntil("the system is shown frozen", () -> text("#frozen-state").equals("frozen"));
		assertThat(text("#message-text")).startsWith("Frozen");
		assertThat(this.system.isFrozen()).isTrue();

		// a confirmation mail queued now is held on the freezable mailer queue
		this.mailer.sendOrderConfirmation(42, "ada");
		waitUntil("the mail is shown held", () -> number("tr[data-queue='mailer'] [data-field=pending]") == 1
				&& attribute("tr[data-queue='mailer']", "class").contains("held"));
		screenshot("frozen");

		click("#thaw");
		waitUntil("the system is shown running", () -> text("#frozen-state").equals("running"));
		waitUntil("the held mail is sent", () -> number("tr[data-queue='mailer'] [data-field=pending]") == 0
				&& !attribute("tr[data-queue='mailer']", "class").contains("held"));
		assertThat(this.system.isFrozen()).isFalse();
	}

	@Test
	void showsTheEndpointsErrorWhenOffliningTheLastOnlineCpu() {
		openDashboard();
		click("button[data-cpu='0'][data-cpu-action='offline']");
		signIn("operator", "operator");
		waitUntil("CPU 0 is shown offline", () -> "false".equals(attribute("#cpu-0", "data-online")));

		click("button[data-cpu='1'][data-cpu-action='offline']");
		waitUntil("the refusal is shown", () -> attribute("#message", "data-kind").equals("error"));
		assertThat(text("#message-text"))
			.isEqualTo("Take CPU 1 offline refused (409): Cannot take CPU 1 offline: it is the last online CPU");
		assertThat(attribute("#cpu-1", "data-online")).isEqualTo("true");
		assertThat(this.system.isOnline(1)).isTrue();
		screenshot("last-cpu-refused");

		click("button[data-cpu='0'][data-cpu-action='online']");
		waitUntil("CPU 0 is shown online", () -> "true".equals(attribute("#cpu-0", "data-online")));
	}

	@Test
	void asksAgainForWrongCredentialsAndShowsWhyAViewerIsRefused() {
		openDashboard();
		click("#freeze");
		signIn("operator", "wrong");
		waitUntil("the page asks again", () -> text("#login-reason").contains("not accepted"));
		signIn("viewer", "viewer");

		waitUntil("the refusal is shown", () -> attribute("#message", "data-kind").equals("error"));
		assertThat(text("#message-text")).startsWith("Freeze refused (403): Forbidden")
			.contains("\"viewer\" may not change workqueues");
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(text("#frozen-state")).isEqualTo("running");
		screenshot("viewer-refused");
	}

	// ---- helpers -------------------------------------------------------------------------------------------

	private void openDashboard() {
		browser.get("http://localhost:" + this.port + "/cmwq");
		waitUntil("the dashboard is live", () -> text("#connection").equals("live"));
		waitUntil("pools and queues are shown", () -> POOLS.stream()
			.allMatch((pool) -> !browser.findElements(By.id("pool-" + pool)).isEmpty())
				&& QUEUES.stream()
					.allMatch((queue) -> !browser.findElements(By.cssSelector("tr[data-queue='" + queue + "']"))
						.isEmpty()));
		assertThat(browser.findElement(By.id("freeze")).isDisplayed()).as("write actions offered").isTrue();
	}

	private void signIn(String user, String password) {
		new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
		WebElement name = browser.findElement(By.id("login-username"));
		name.clear();
		name.sendKeys(user);
		browser.findElement(By.id("login-password")).sendKeys(password);
		browser.findElement(By.id("login-submit")).click();
	}

	private void click(String selector) {
		WebElement button = new WebDriverWait(browser, PATIENCE)
			.until(ExpectedConditions.elementToBeClickable(By.cssSelector(selector)));
		button.click();
	}

	private static String text(String selector) {
		return browser.findElement(By.cssSelector(selector)).getText().trim();
	}

	private static String attribute(String selector, String name) {
		String value = browser.findElement(By.cssSelector(selector)).getDomAttribute(name);
		return (value != null) ? value : "";
	}

	private static int number(String selector) {
		String text = text(selector);
		return text.isEmpty() ? 0 : Integer.parseInt(text);
	}

	private static double decimal(String selector) {
		String text = text(selector);
		return text.isEmpty() ? 0 : Double.parseDouble(text);
	}

	/** The labels of the legend of a pool's chart, as Chart.js drew them. */
	private static List<String> legend(String pool) {
		@SuppressWarnings("unchecked")
		List<String> labels = (List<String>) browser.executeScript("return Chart.getChart(document.querySelector("
				+ "'#pool-" + pool + " canvas')).legend.legendItems.map((item) => item.text);");
		return labels;
	}

	private static int number(String selector, String attribute) {
		String value = attribute(selector, attribute);
		return value.isEmpty() ? 0 : Integer.parseInt(value);
	}

	private static void waitUntil(String what, BooleanSupplier condition) {
		waitUntil(PATIENCE, what, condition);
	}

	private static void waitUntil(Duration patience, String what, BooleanSupplier condition) {
		new WebDriverWait(browser, patience).withMessage(what)
			.ignoring(NoSuchElementException.class)
			.ignoring(StaleElementReferenceException.class)
			.ignoring(NumberFormatException.class)
			.until((driver) -> condition.getAsBoolean());
	}

	private static void screenshot(String name) {
		chromium.screenshot(name);
	}

	private CountDownLatch release() {
		CountDownLatch latch = new CountDownLatch(1);
		this.releases.add(latch);
		return latch;
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(2, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private WorkqueueSnapshot drillSnapshot() {
		return this.system.snapshot().workqueue("drill").orElseThrow();
	}

}
