package dev.cmwq.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The {@link ObservationConvention} of work items; declare a bean of this type to rename the observation or change
 * its key values (extending {@link DefaultWorkObservationConvention} is the simple way).
 */
public interface WorkObservationConvention extends ObservationConvention<WorkObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof WorkObservationContext;
	}

}
