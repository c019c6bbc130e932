package dev.cmwq.sample.mail;

import java.util.concurrent.atomic.AtomicLong;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.sample.Latency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Sends order confirmations on the {@code mailer} workqueue, which is {@code freezable}: during maintenance of the
 * mail relay an operator freezes the workqueues ({@code POST /actuator/workqueues/freeze}), mails are held, and
 * thawing sends them in order. It is also {@code durable}: each call is stored in the sample's H2 file database
 * before it returns and removed once the mail is sent, so mails queued when the process dies go out after its
 * restart (at least once: a mail being sent at that moment may go out twice).
 */
@Service
public class Mailer {

	private static final Logger logger = LoggerFactory.getLogger(Mailer.class);

	private final AtomicLong sent = new AtomicLong();

	/**
	 * Sends an order's confirmation.
	 * @param orderId the order
	 * @param customer to whom
	 */
	@QueueWork("mailer")
	public void sendOrderConfirmation(long orderId, String customer) {
		Latency.pause(80); // the SMTP conversation
		this.sent.incrementAndGet();
		logger.debug("Sent confirmation of order {} to {}", orderId, customer);
	}

	/**
	 * @return confirmations sent so far
	 */
	public long sent() {
		return this.sent.get();
	}

}
