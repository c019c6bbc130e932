/**
 * Micrometer observations of work items ({@code cmwq.work}), following Spring's {@code ObservationConvention}
 * pattern: {@link dev.cmwq.autoconfigure.observation.WorkObservationContext},
 * {@link dev.cmwq.autoconfigure.observation.WorkObservationConvention} and
 * {@link dev.cmwq.autoconfigure.observation.DefaultWorkObservationConvention}.
 */
package dev.cmwq.autoconfigure.observation;
