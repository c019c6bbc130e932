package dev.cmwq.autoconfigure.actuate;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;

import static dev.cmwq.autoconfigure.actuate.WorkqueuesEndpointStackTests.EXPOSE;
import static dev.cmwq.autoconfigure.actuate.WorkqueuesEndpointStackTests.MANAGEMENT_PORT;
import static dev.cmwq.autoconfigure.actuate.WorkqueuesEndpointStackTests.REACTIVE;
import static dev.cmwq.autoconfigure.actuate.WorkqueuesEndpointStackTests.UNRESTRICTED;

/**
 * The endpoint's routes, error codes and request rules on Spring WebFlux, on a separate management port.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(classes = WorkqueuesEndpointStackTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { EXPOSE, UNRESTRICTED, REACTIVE, MANAGEMENT_PORT })
class WorkqueuesEndpointWebFluxManagementPortTests extends WorkqueuesEndpointStackTests {

	@LocalManagementPort
	int port;

	@Override
	int port() {
		return this.port;
	}

}
