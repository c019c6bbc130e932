package dev.cmwq.sample;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the {@code workqueues} endpoint is read-only, the dashboard shows everything and offers no action.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.cpus=2", "management.endpoint.workqueues.access=read-only" })
class DashboardReadOnlyBrowserTests {

	private static HeadlessChromium chromium;

	@LocalServerPort
	int port;

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
		chromium.screenshot("read-only");
	}

}
