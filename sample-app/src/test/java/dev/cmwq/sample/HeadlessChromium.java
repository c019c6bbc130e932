package dev.cmwq.sample;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver, with a fresh profile. Without them it fails
 * (the browser tests must not pass by skipping): {@code apt-get install -y chromium chromium-driver}, as
 * {@code .ci/run} does.
 */
final class HeadlessChromium implements AutoCloseable {

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private final Path profile;

	private final ChromeDriver driver;

	private HeadlessChromium(Path profile, ChromeDriver driver) {
		this.profile = profile;
		this.driver = driver;
	}

	static HeadlessChromium start() {
		assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
			.as("the browser tests need Debian's chromium and chromium-driver (%s, %s): "
					+ "apt-get install -y chromium chromium-driver (.ci/run does)", CHROMIUM, CHROMEDRIVER)
			.isTrue();
		try {
			Files.createDirectories(SCREENSHOTS);
			Path profile = Files.createTempDirectory("cmwq-chromium-");
			ChromeOptions options = new ChromeOptions();
			options.setBinary(CHROMIUM.toFile());
			options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1250");
			ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(CHROMEDRIVER.toFile())
				.usingAnyFreePort()
				.build();
			return new HeadlessChromium(profile, new ChromeDriver(service, options));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	ChromeDriver driver() {
		return this.driver;
	}

	/**
	 * Saves what the browser shows as {@code target/screenshots/<name>.png}.
	 */
	void screenshot(String name) {
		File file = this.driver.getScreenshotAs(OutputType.FILE);
		try {
			Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			try (var files = Files.walk(this.profile)) {
				files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
			}
			catch (IOException ex) {
				// a leftover temporary profile is harmless
			}
		}
	}

}
