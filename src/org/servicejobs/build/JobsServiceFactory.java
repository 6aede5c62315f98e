package org.servicejobs.build;

import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.components.build.Factory;
import org.servicejobs.logic.JobsController;
import org.servicejobs.metrics.JobsMetricsService;
import org.servicejobs.metrics.PrometheusCounters;
import org.servicejobs.persistence.JobsFilePersistence;
import org.servicejobs.persistence.JobsMemoryPersistence;
import org.servicejobs.persistence.JobsMongoDbPersistence;
import org.servicejobs.services.GracefulHttpEndpoint;
import org.servicejobs.services.version1.JobsHttpServiceV1;
import org.servicejobs.services.version1.JobsOpenApiServiceV1;

/**
 * Creates the components of the jobs service by their descriptors.
 *
 * @see JobsMemoryPersistence
 * @see JobsFilePersistence
 * @see JobsMongoDbPersistence
 * @see JobsController
 * @see JobsHttpServiceV1
 * @see JobsOpenApiServiceV1
 * @see GracefulHttpEndpoint
 * @see PrometheusCounters
 * @see JobsMetricsService
 */
public class JobsServiceFactory extends Factory {
    public static final Descriptor Descriptor = new Descriptor("pip-services-jobs", "factory", "default", "default", "1.0");
    public static final Descriptor MemoryPersistenceDescriptor = new Descriptor("pip-services-jobs", "persistence", "memory", "*", "1.0");
    public static final Descriptor FilePersistenceDescriptor = new Descriptor("pip-services-jobs", "persistence", "file", "*", "1.0");
    public static final Descriptor MongoDbPersistenceDescriptor = new Descriptor("pip-services-jobs", "persistence", "mongodb", "*", "1.0");
    public static final Descriptor ControllerDescriptor = new Descriptor("pip-services-jobs", "controller", "default", "*", "1.0");
    public static final Descriptor HttpServiceV1Descriptor = new Descriptor("pip-services-jobs", "service", "http", "*", "1.0");
    public static final Descriptor OpenApiServiceV1Descriptor = new Descriptor("pip-services-jobs", "openapi-service", "http", "*", "1.0");
    public static final Descriptor HttpEndpointDescriptor = new Descriptor("pip-services-jobs", "endpoint", "http", "*", "1.0");
    public static final Descriptor PrometheusCountersDescriptor = new Descriptor("pip-services-jobs", "counters", "prometheus", "*", "1.0");
    public static final Descriptor MetricsServiceDescriptor = new Descriptor("pip-services-jobs", "metrics-service", "http", "*", "1.0");

    public JobsServiceFactory() {
        registerAsType(MemoryPersistenceDescriptor, JobsMemoryPersistence.class);
        registerAsType(FilePersistenceDescriptor, JobsFilePersistence.class);
        registerAsType(MongoDbPersistenceDescriptor, JobsMongoDbPersistence.class);
        registerAsType(ControllerDescriptor, JobsController.class);
        registerAsType(HttpServiceV1Descriptor, JobsHttpServiceV1.class);
        registerAsType(OpenApiServiceV1Descriptor, JobsOpenApiServiceV1.class);
        registerAsType(HttpEndpointDescriptor, GracefulHttpEndpoint.class);
        registerAsType(PrometheusCountersDescriptor, PrometheusCounters.class);
        registerAsType(MetricsServiceDescriptor, JobsMetricsService.class);
    }
}
