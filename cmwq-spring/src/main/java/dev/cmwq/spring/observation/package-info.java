/**
 * Micrometer observations of work items ({@code cmwq.work}), following Spring's {@code ObservationConvention}
 * pattern: {@link dev.cmwq.spring.observation.WorkObservationContext},
 * {@link dev.cmwq.spring.observation.WorkObservationConvention} and
 * {@link dev.cmwq.spring.observation.DefaultWorkObservationConvention}.
 */
package dev.cmwq.spring.observation;
