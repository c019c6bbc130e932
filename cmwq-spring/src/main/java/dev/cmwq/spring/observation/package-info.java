/**
 * What work items carry of their caller: its context, propagated into every item
 * ({@link dev.cmwq.spring.observation.ContextPropagatingWorkqueueTaskDecorator}), and Micrometer observations of
 * the items ({@code cmwq.work}), following Spring's {@code ObservationConvention} pattern:
 * {@link dev.cmwq.spring.observation.WorkObservationContext},
 * {@link dev.cmwq.spring.observation.WorkObservationConvention} and
 * {@link dev.cmwq.spring.observation.DefaultWorkObservationConvention}.
 */
package dev.cmwq.spring.observation;
